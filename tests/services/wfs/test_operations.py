"""GetFeature, GetPropertyValue and stored queries through /ows, read back as a user would."""

import csv
import io
import json
import zipfile
from urllib.parse import quote

import pyogrio
import pytest
import shapely
from django.http import StreamingHttpResponse
from pyproj import Transformer

from tests.services.ogc import NS, exception_report, xml
from tests.services.wfs.conftest import PARCELS, SCHOOL_COUNT, school_points

pytestmark = pytest.mark.django_db

WFS = "/ows?SERVICE=WFS&REQUEST=GetFeature"


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def gml_positions(root, path=".//gml:pos") -> list[tuple[float, float]]:
    return [tuple(float(v) for v in e.text.split()) for e in root.iterfind(path, NS)]


@pytest.mark.parametrize("srs_name, expected_first", [
    (None, (31.90, 120.50)),  # DefaultCRS urn:ogc:def:crs:EPSG::4490 -> lat/lon
    ("urn:ogc:def:crs:EPSG::4490", (31.90, 120.50)),
    ("EPSG:4490", (31.90, 120.50)),  # WFS 2.0: EPSG axis order for every form
    ("http://www.opengis.net/def/crs/EPSG/0/4326", (31.90, 120.50)),
    ("http://www.opengis.net/gml/srs/epsg.xml#4490", (120.50, 31.90)),  # GeoServer's x/y form
    ("urn:ogc:def:crs:OGC:1.3:CRS84", (120.50, 31.90)),
])
def test_gml32_axis_order_follows_the_srs_name(client, wfs_layers, srs_name, expected_first):
    url = f"{WFS}&TYPENAMES=geoshare:wfs_schools&COUNT=1"
    if srs_name:
        url += f"&SRSNAME={quote(srs_name, safe=':/')}"
    response = client.get(url)
    assert response.status_code == 200 and isinstance(response, StreamingHttpResponse)
    root = xml(response)
    assert gml_positions(root)[0] == pytest.approx(expected_first)
    point = root.find(".//gml:Point", NS)
    assert point.get(f"{{{NS['gml']}}}id") == "wfs_schools.geom.1"


def test_projected_output_is_northing_easting_in_wfs20_and_easting_northing_in_wfs11(client, wfs_layers):
    x, y = Transformer.from_crs(4490, 4549, always_xy=True).transform(120.50, 31.90)
    root = xml(client.get(f"{WFS}&TYPENAMES=geoshare:wfs_schools&COUNT=1&SRSNAME=EPSG:4549"))
    assert gml_positions(root)[0] == pytest.approx((y, x), abs=0.01)
    root = xml(client.get(f"{WFS}&VERSION=1.1.0&TYPENAME=geoshare:wfs_schools&MAXFEATURES=1&SRSNAME=EPSG:4549"))
    assert gml_positions(root, ".//gml311:pos")[0] == pytest.approx((x, y), abs=0.01)
    root = xml(client.get(
        f"{WFS}&VERSION=1.1.0&TYPENAME=geoshare:wfs_schools&MAXFEATURES=1&SRSNAME=urn:ogc:def:crs:EPSG::4549"
    ))
    assert gml_positions(root, ".//gml311:pos")[0] == pytest.approx((y, x), abs=0.01)


def test_3857_output_is_easting_northing(client, wfs_layers):
    x, y = Transformer.from_crs(4490, 3857, always_xy=True).transform(120.50, 31.90)
    root = xml(client.get(f"{WFS}&TYPENAMES=geoshare:wfs_schools&COUNT=1&SRSNAME=EPSG:3857"))
    assert gml_positions(root)[0] == pytest.approx((x, y), abs=0.01)


def test_multi_geometries_get_unique_gml_ids(client, wfs_layers):
    root = xml(client.get(f"{WFS}&TYPENAMES=geoshare:parcels"))
    ids = [e.get(f"{{{NS['gml']}}}id") for e in root.iter() if e.get(f"{{{NS['gml']}}}id")]
    assert len(ids) == len(set(ids)) and "parcels.1" in ids and "parcels.geom.1.1" in ids


def test_properties_are_typed_text_and_chinese_survives(client, wfs_layers):
    root = xml(client.get(f"{WFS}&TYPENAMES=geoshare:wfs_schools&COUNT=2"))
    first = root.find("wfs:member/geoshare:wfs_schools", NS)
    assert first.findtext("geoshare:name", namespaces=NS) == "学校0"
    assert first.findtext("geoshare:score", namespaces=NS) == "0.0"
    assert first.findtext("geoshare:opened", namespaces=NS) == "2020-01-01"
    assert first.find("geoshare:note", NS) is None  # NULL: left out, as the schema allows
    assert root.get("numberMatched") == str(SCHOOL_COUNT) and root.get("numberReturned") == "2"


def test_paging_links_walk_the_whole_layer(client, wfs_layers):
    url, seen = f"{WFS}&TYPENAMES=geoshare:wfs_schools&COUNT=7", []
    previous = None
    while url:
        root = xml(client.get(url.replace("http://testserver", "")))
        seen += [m.get(f"{{{NS['gml']}}}id") for m in root.iterfind("wfs:member/*", NS)]
        assert (root.get("previous") is None) == (previous is None)
        previous, url = url, root.get("next")
    assert seen == [f"wfs_schools.{i}" for i in range(1, SCHOOL_COUNT + 1)]


def test_start_index_and_hits(client, wfs_layers):
    root = xml(client.get(f"{WFS}&TYPENAMES=geoshare:wfs_schools&STARTINDEX=18&COUNT=5"))
    assert [m.get(f"{{{NS['gml']}}}id") for m in root.iterfind("wfs:member/*", NS)] == ["wfs_schools.19", "wfs_schools.20"]
    assert root.get("next") is None and root.get("numberMatched") == "20"
    root = xml(client.get(f"{WFS}&TYPENAMES=geoshare:wfs_schools&RESULTTYPE=hits"))
    assert root.get("numberMatched") == "20" and root.get("numberReturned") == "0" and len(root) == 0
    root = xml(client.get(f"{WFS}&TYPENAMES=geoshare:wfs_schools&STARTINDEX=40"))
    assert root.get("numberReturned") == "0" and root.get("numberMatched") == "20"


def test_counts_beyond_the_lookahead_come_from_a_count_query(client, wfs_layers, monkeypatch):
    from services.wfs import operations

    monkeypatch.setattr(operations, "LOOKAHEAD", 3)
    root = xml(client.get(f"{WFS}&TYPENAMES=geoshare:wfs_schools&COUNT=10&STARTINDEX=5"))
    assert root.get("numberMatched") == "20" and root.get("numberReturned") == "10"
    assert len(root.findall("wfs:member", NS)) == 10 and root.get("next")


def test_sort_by_and_property_names(client, wfs_layers):
    root = xml(client.get(f"{WFS}&TYPENAMES=geoshare:wfs_schools&COUNT=3&SORTBY=n DESC&PROPERTYNAME=geoshare:n"))
    members = root.findall("wfs:member/geoshare:wfs_schools", NS)
    assert [m.findtext("geoshare:n", namespaces=NS) for m in members] == ["19", "18", "17"]
    assert members[0].find("geoshare:geom", NS) is None and members[0].find("geoshare:name", NS) is None


def test_bbox_with_its_own_crs(client, wfs_layers):
    # lat/lon order: the box holds lon 120.525-120.555 on the first row (wfs_schools 3, 4, 5).
    root = xml(client.get(f"{WFS}&TYPENAMES=geoshare:wfs_schools&BBOX=31.89,120.525,31.91,120.555,urn:ogc:def:crs:EPSG::4490"))
    assert [m.get(f"{{{NS['gml']}}}id") for m in root.iterfind("wfs:member/*", NS)] == ["wfs_schools.4", "wfs_schools.5", "wfs_schools.6"]
    root = xml(client.get(f"{WFS}&VERSION=1.1.0&TYPENAME=geoshare:wfs_schools&BBOX=120.525,31.89,120.555,31.91,EPSG:4490"))
    assert len(root.findall("gml311:featureMember", NS)) == 3


def test_several_type_names_share_one_collection(client, wfs_layers):
    root = xml(client.get(f"{WFS}&TYPENAMES=geoshare:wfs_roads,geoshare:parcels&COUNT=6&STARTINDEX=1"))
    ids = [m.get(f"{{{NS['gml']}}}id") for m in root.iterfind("wfs:member/*", NS)]
    assert ids == ["wfs_roads.2", "wfs_roads.3", "parcels.1", "parcels.2", "parcels.3", "parcels.4"]
    assert root.get("numberMatched") == "8"


def test_geojson_is_lon_lat_with_string_ids(client, wfs_layers):
    response = client.get(f"{WFS}&TYPENAMES=geoshare:wfs_schools&COUNT=2&OUTPUTFORMAT=application/json&SRSNAME=EPSG:4490")
    document = json.loads(body(response))
    assert document["features"][0]["id"] == "wfs_schools.1"
    assert document["features"][0]["geometry"]["coordinates"] == pytest.approx([120.5, 31.9])
    assert document["features"][0]["properties"]["name"] == "学校0"
    assert document["numberReturned"] == 2 and document["numberMatched"] == 20
    assert document["links"][0]["rel"] == "next"
    projected = json.loads(body(client.get(f"{WFS}&TYPENAMES=geoshare:parcels&OUTPUTFORMAT=json")))
    assert projected["crs"]["properties"]["name"] == "urn:ogc:def:crs:EPSG::4549"
    assert "crs" not in projected["features"][0]["geometry"]
    assert shapely.geometry.shape(projected["features"][0]["geometry"]).equals(shapely.MultiPolygon([PARCELS[0]]))


def test_csv_has_a_bom_a_header_and_wkt(client, wfs_layers):
    response = client.get(f"{WFS}&TYPENAMES=geoshare:wfs_schools&OUTPUTFORMAT=text/csv")
    text = body(response).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert len(rows) == SCHOOL_COUNT and rows[0]["name"] == "学校0" and rows[0]["note"] == ""
    assert shapely.from_wkt(rows[1]["WKT"]).equals(school_points()[1])
    assert response["Content-Disposition"] == 'attachment; filename="wfs_schools.csv"'


@pytest.mark.parametrize("charset, cpg", [("UTF-8", "UTF-8"), ("GBK", "936")])
def test_zipped_shapefile_in_either_encoding(client, wfs_layers, tmp_path, charset, cpg):
    url = f"{WFS}&TYPENAMES=geoshare:wfs_schools&OUTPUTFORMAT=SHAPE-ZIP&FORMAT_OPTIONS=charset:{charset}"
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = tmp_path / "wfs_schools.zip"
    archive.write_bytes(body(response))
    with zipfile.ZipFile(archive) as zipped:
        assert sorted(zipped.namelist()) == [f"wfs_schools.{e}" for e in ("cpg", "dbf", "prj", "shp", "shx")]
        assert zipped.read("wfs_schools.cpg").decode() == cpg
        dbf = zipped.read("wfs_schools.dbf")
    assert "学校1".encode("gbk" if charset == "GBK" else "utf-8") in dbf
    meta, _, geometry, values = pyogrio.raw.read(f"/vsizip/{archive}/wfs_schools.shp")
    assert list(values[0][:2]) == ["学校0", "学校1"] and len(geometry) == SCHOOL_COUNT
    assert shapely.from_wkb(geometry[0]).equals(school_points()[0])


def test_geopackage_holds_every_type_asked_for(client, wfs_layers, tmp_path):
    response = client.get(f"{WFS}&TYPENAMES=geoshare:wfs_schools,geoshare:parcels&OUTPUTFORMAT=gpkg")
    path = tmp_path / "features.gpkg"
    path.write_bytes(body(response))
    assert sorted(name for name, _ in pyogrio.list_layers(path)) == ["parcels", "wfs_schools"]
    meta, _, geometry, values = pyogrio.raw.read(path, layer="parcels")
    assert meta["crs"] == "EPSG:4549" and shapely.from_wkb(geometry[0]).equals(shapely.MultiPolygon([PARCELS[0]]))
    meta, _, _, values = pyogrio.raw.read(path, layer="wfs_schools")
    assert values[list(meta["fields"]).index("opened")][1] is not None


def test_get_feature_by_id_answers_the_bare_feature_or_not_found(client, wfs_layers):
    stored = "STOREDQUERY_ID=urn:ogc:def:query:OGC-WFS::GetFeatureById"
    root = xml(client.get(f"{WFS}&{stored}&ID=wfs_schools.3"))
    assert root.tag == f"{{{NS['geoshare']}}}wfs_schools" and root.get(f"{{{NS['gml']}}}id") == "wfs_schools.3"
    response = client.get(f"{WFS}&{stored}&ID=wfs_schools.999")
    assert response.status_code == 404 and exception_report(response)[:2] == ("NotFound", "ID")
    feature = json.loads(client.get(f"{WFS}&{stored}&ID=wfs_roads.2&OUTPUTFORMAT=application/json").content)
    assert feature["type"] == "Feature" and feature["properties"]["name"] == "人民路"


def test_resource_ids(client, wfs_layers):
    root = xml(client.get(f"{WFS}&RESOURCEID=wfs_schools.2,wfs_schools.5,wfs_roads.1"))
    ids = [m.get(f"{{{NS['gml']}}}id") for m in root.iterfind("wfs:member/*", NS)]
    assert ids == ["wfs_schools.2", "wfs_schools.5", "wfs_roads.1"]


def test_get_property_value(client, wfs_layers):
    url = "/ows?SERVICE=WFS&REQUEST=GetPropertyValue&TYPENAMES=geoshare:wfs_roads&VALUEREFERENCE="
    root = xml(client.get(url + "geoshare:name"))
    assert [m.text for m in root.findall("wfs:member", NS)] == ["长江路", "人民路", "远路"]
    root = xml(client.get(url + "geom&COUNT=1"))
    assert root.find("wfs:member/gml:MultiCurve", NS) is not None and root.get("next")
    response = client.get(url + "nothing")
    assert exception_report(response)[:2] == ("InvalidParameterValue", "valueReference")


def test_post_get_feature_2_0_with_filter_and_sort(client, wfs_layers):
    document = f"""<wfs:GetFeature service="WFS" version="2.0.0" count="3"
        xmlns:wfs="{NS['wfs']}" xmlns:fes="{NS['fes']}" xmlns:geoshare="{NS['geoshare']}">
      <wfs:Query typeNames="geoshare:wfs_schools">
        <wfs:PropertyName>geoshare:kind</wfs:PropertyName>
        <fes:Filter><fes:PropertyIsEqualTo><fes:ValueReference>kind</fes:ValueReference>
          <fes:Literal>小学</fes:Literal></fes:PropertyIsEqualTo></fes:Filter>
        <fes:SortBy><fes:SortProperty><fes:ValueReference>n</fes:ValueReference>
          <fes:SortOrder>DESC</fes:SortOrder></fes:SortProperty></fes:SortBy>
      </wfs:Query>
    </wfs:GetFeature>"""
    root = xml(client.post("/ows", document.encode(), content_type="application/xml"))
    ids = [m.get(f"{{{NS['gml']}}}id") for m in root.iterfind("wfs:member/*", NS)]
    assert ids == ["wfs_schools.20", "wfs_schools.18", "wfs_schools.16"]
    assert root.get("next") is None  # a POSTed document has no KVP page links


def test_post_get_feature_1_1(client, wfs_layers):
    document = f"""<wfs:GetFeature service="WFS" version="1.1.0" maxFeatures="2"
        xmlns:wfs="{NS['wfs11']}" xmlns:ogc="{NS['ogc']}" xmlns:gml="{NS['gml311']}">
      <wfs:Query typeName="geoshare:wfs_schools" srsName="EPSG:4490">
        <ogc:Filter><ogc:BBOX><ogc:PropertyName>geom</ogc:PropertyName>
          <gml:Envelope srsName="EPSG:4490"><gml:lowerCorner>120.545 31.94</gml:lowerCorner>
          <gml:upperCorner>120.575 31.96</gml:upperCorner></gml:Envelope></ogc:BBOX></ogc:Filter>
      </wfs:Query>
    </wfs:GetFeature>"""
    root = xml(client.post("/ows", document.encode(), content_type="text/xml"))
    members = root.findall("gml311:featureMember/geoshare:wfs_schools", NS)
    assert [m.get(f"{{{NS['gml311']}}}id") for m in members] == ["wfs_schools.16", "wfs_schools.17"]
    assert gml_positions(root, ".//gml311:pos")[0] == pytest.approx((120.55, 31.95))


def test_stored_queries_are_listed_and_described(client, wfs_layers):
    root = xml(client.get("/ows?SERVICE=WFS&REQUEST=ListStoredQueries"))
    query = root.find("wfs:StoredQuery", NS)
    assert query.get("id") == "urn:ogc:def:query:OGC-WFS::GetFeatureById"
    returned = [e.text for e in query.findall("wfs:ReturnFeatureType", NS)]
    assert "geoshare:wfs_schools" in returned and "geoshare:secret_plans" not in returned
    root = xml(client.get("/ows?SERVICE=WFS&REQUEST=DescribeStoredQueries"))
    assert root.find("wfs:StoredQueryDescription/wfs:Parameter", NS).get("name") == "ID"


def test_the_audit_trail_learns_layers_and_counts(client, wfs_layers):
    from geoshare.access.models import AuditRecord

    document = f"""<wfs:GetFeature service="WFS" version="2.0.0" count="3" xmlns:wfs="{NS['wfs']}">
      <wfs:Query typeNames="geoshare:wfs_roads"/></wfs:GetFeature>"""
    body(client.post("/ows", document.encode(), content_type="application/xml"))
    record = AuditRecord.objects.latest("pk")
    assert (record.service, record.operation, record.layers, record.items) == ("WFS", "GetFeature", ["wfs_roads"], 3)


def test_markup_and_control_characters_in_values_stay_well_formed(client, wfs_layers):
    from tests.factories import vector_layer

    vector_layer("odd_names", [shapely.Point(120.5, 31.9)], {"name": ['<b>"A&B"</b>\x01 x']})
    root = xml(client.get(f"{WFS}&TYPENAMES=geoshare:odd_names"))
    assert root.findtext(".//geoshare:name", namespaces=NS) == '<b>"A&B"</b> x'
    values = xml(client.get("/ows?SERVICE=WFS&REQUEST=GetPropertyValue&TYPENAMES=geoshare:odd_names&VALUEREFERENCE=name"))
    assert values.findtext("wfs:member", namespaces=NS) == '<b>"A&B"</b> x'
