"""WFS request parsing: axis order rules, names, lists, limits."""

import pytest
from django.test import override_settings
from lxml import etree

from geoshare.errors import InvalidParameterError
from geoshare.geo import parse_crs
from services.ows.kvp import Kvp
from services.wfs.params import (
    FORMATS,
    Query,
    _charset,
    _output_format,
    _per_query,
    _property_list,
    _sortby,
    _xml_queries,
    layer_name,
    resolve,
    srs_name,
    wire_yx,
)


@pytest.mark.parametrize("name, version, yx", [
    ("EPSG:4490", "2.0.0", True), ("EPSG:4490", "1.1.0", False),
    ("urn:ogc:def:crs:EPSG::4490", "1.1.0", True), ("urn:x-ogc:def:crs:EPSG:4326", "1.1.0", True),
    ("http://www.opengis.net/def/crs/EPSG/0/4549", "1.1.0", True),
    ("http://www.opengis.net/gml/srs/epsg.xml#4326", "2.0.0", False),
    ("EPSG:3857", "2.0.0", False), ("urn:ogc:def:crs:OGC:1.3:CRS84", "2.0.0", False),
    ("EPSG:4549", "2.0.0", True),
])
def test_wire_axis_order(name, version, yx):
    assert wire_yx(parse_crs(name, "srsName"), version) is yx


def test_srs_names_written_say_the_order_used():
    assert srs_name(parse_crs("EPSG:4490", "x"), True) == "urn:ogc:def:crs:EPSG::4490"
    assert srs_name(parse_crs("EPSG:4490", "x"), False) == "http://www.opengis.net/gml/srs/epsg.xml#4490"
    assert srs_name(parse_crs("EPSG:3857", "x"), False) == "urn:ogc:def:crs:EPSG::3857"


@pytest.mark.parametrize("raw, name", [
    ("geoshare:wfs_roads", "wfs_roads"), ("{urn:geoshare:features}wfs_roads", "wfs_roads"), (" wfs_roads ", "wfs_roads"),
])
def test_layer_names(raw, name):
    assert layer_name(raw) == name


def test_sortby_forms():
    assert _sortby("geoshare:n DESC, name,kind A") == (("n", False), ("name", True), ("kind", True))
    with pytest.raises(InvalidParameterError):
        _sortby("n DOWN")


def test_a_repeated_sort_key_or_property_name_counts_once():
    # Thousands of repeats would otherwise each become an ORDER BY term, in every query.
    assert _sortby("n DESC,geoshare:n," + ",".join(["n A"] * 5000) + ",kind,n") == (
        ("n", False), ("kind", True))
    assert _sortby("kind,n D,kind D") == (("kind", True), ("n", False))
    assert _property_list(",".join(["name", "geoshare:n", "name"] * 3000)) == ("name", "n")
    sort_property = ("<fes:SortProperty><fes:ValueReference>n</fes:ValueReference>"
                     "<fes:SortOrder>DESC</fes:SortOrder></fes:SortProperty>")
    document = etree.fromstring(
        '<wfs:GetFeature xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:fes="http://www.opengis.net/fes/2.0">'
        '<wfs:Query typeNames="wfs_schools">'
        + "<wfs:PropertyName>n</wfs:PropertyName>" * 3000
        + f"<fes:SortBy>{sort_property * 3000}</fes:SortBy></wfs:Query></wfs:GetFeature>"
    )
    (query,) = _xml_queries(document, "2.0.0")
    assert query.properties == ("n",) and query.sortby == (("n", False),)


def test_output_formats_tolerate_unencoded_plus_and_refuse_gml32_in_1_1():
    assert _output_format("application/gml xml; version=3.2", "2.0.0").key == "gml32"
    assert _output_format("SHAPE-ZIP", "1.1.0").key == "shapezip"
    assert _output_format(None, "1.1.0").key == "gml311"
    with pytest.raises(InvalidParameterError):
        _output_format("application/gml+xml; version=3.2", "1.1.0")
    assert [f.key for f in FORMATS] == ["gml32", "gml311", "geojson", "csv", "shapezip", "gpkg"]


def test_charsets_and_per_query_lists():
    assert _charset("charset:gb2312") == "GBK" and _charset(None) == "UTF-8"
    assert _per_query("(a,b)(c)", 2, "propertyName") == ["a,b", "c"]
    with pytest.raises(InvalidParameterError):
        _per_query("(a)(b)(c)", 2, "propertyName")


def test_bbox_defaults_to_the_query_crs_and_reads_its_own():
    query = Query("wfs_roads", bbox="31.8,120.4,32.0,120.6")  # DefaultCRS urn:…:4490: lat/lon
    box = resolve(query, 4490, "2.0.0").bbox
    assert (box.minx, box.miny, box.maxx, box.maxy, box.srid) == (120.4, 31.8, 120.6, 32.0, 4490)
    box = resolve(Query("wfs_roads", bbox="120.4,31.8,120.6,32.0,EPSG:4326"), 4490, "1.1.0").bbox
    assert (box.minx, box.srid) == (120.4, 4326)


@override_settings(GEOSHARE_WFS_MAX_FEATURES=500)
def test_count_limit_comes_from_settings(rf):
    from services.wfs.params import _count

    assert _count(Kvp({"COUNT": "500"})) == 500
    with pytest.raises(InvalidParameterError):
        _count(Kvp({"MAXFEATURES": "501"}))
