"""The mended FES parser: what pygeofilter 0.4 gets wrong, read right."""

import pytest
from lxml import etree
from pygeofilter import ast

from geoshare.geo import parse_crs
from services.wfs.fes import FilterContext, FilterParsingError, parse_filter
from services.wfs.params import wire_yx

F20 = 'xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2"'
F11 = 'xmlns:ogc="http://www.opengis.net/ogc" xmlns:gml="http://www.opengis.net/gml"'


def parse(text: str, version: str = "2.0.0", default: str = "urn:ogc:def:crs:EPSG::4490"):
    context = FilterContext("wfs_roads", parse_crs(default, "srsName"), lambda c: wire_yx(c, version))
    return parse_filter(etree.fromstring(text), context)


def test_resource_ids_of_this_type_only():
    node = parse(f'<fes:Filter {F20}><fes:ResourceId rid="wfs_roads.3"/><fes:ResourceId rid="pois.4"/>'
                 f'<fes:ResourceId rid="7"/></fes:Filter>')
    assert isinstance(node, ast.In) and node.sub_nodes == [3, 7]
    nothing = parse(f'<fes:Filter {F20}><fes:ResourceId rid="pois.4"/></fes:Filter>')
    assert isinstance(nothing, ast.Include) and nothing.not_


def test_bbox_without_value_reference_keeps_its_crs_and_axis_order():
    node = parse(f'<fes:Filter {F20}><fes:BBOX><gml:Envelope srsName="EPSG:4326"><gml:lowerCorner>31 120'
                 f'</gml:lowerCorner><gml:upperCorner>32 121</gml:upperCorner></gml:Envelope></fes:BBOX></fes:Filter>')
    assert (node.lhs.name, node.minx, node.miny, node.maxx, node.maxy, node.crs) == ("geom", 120, 31, 121, 32, "EPSG:4326")
    # The same srsName in a WFS 1.1.0 request means lon/lat.
    node = parse(f'<ogc:Filter {F11}><ogc:BBOX><ogc:PropertyName>geom</ogc:PropertyName><gml:Envelope '
                 f'srsName="EPSG:4326"><gml:lowerCorner>120 31</gml:lowerCorner><gml:upperCorner>121 32'
                 f'</gml:upperCorner></gml:Envelope></ogc:BBOX></ogc:Filter>', version="1.1.0")
    assert (node.minx, node.miny) == (120, 31)


@pytest.mark.parametrize("srs, coordinates, expected", [
    ('srsName="urn:ogc:def:crs:EPSG::4549"', "3530000 540000", (540000, 3530000)),
    ('srsName="http://www.opengis.net/gml/srs/epsg.xml#4549"', "540000 3530000", (540000, 3530000)),
    ("", "31.9 120.5", (120.5, 31.9)),  # no srsName: the query's CRS, here the urn DefaultCRS
])
def test_dwithin_point_in_any_crs_form(srs, coordinates, expected):
    node = parse(f'<fes:Filter {F20}><fes:DWithin><fes:ValueReference>geoshare:geom</fes:ValueReference>'
                 f'<gml:Point gml:id="p" {srs}><gml:pos>{coordinates}</gml:pos></gml:Point>'
                 f'<fes:Distance uom="m">50</fes:Distance></fes:DWithin></fes:Filter>')
    assert tuple(node.rhs.geometry["coordinates"]) == expected and node.units == "m"


def test_like_with_fes_1_0_escape_and_match_case_on_equality():
    node = parse(f'<ogc:Filter {F11}><ogc:PropertyIsLike wildCard="%" singleChar="_" escape="\\">'
                 f'<ogc:PropertyName>name</ogc:PropertyName><ogc:Literal>A%</ogc:Literal>'
                 f'</ogc:PropertyIsLike></ogc:Filter>', version="1.1.0")
    assert node.escapechar == "\\"
    node = parse(f'<fes:Filter {F20}><fes:PropertyIsNotEqualTo matchCase="false"><fes:ValueReference>name'
                 f'</fes:ValueReference><fes:Literal>A_%</fes:Literal></fes:PropertyIsNotEqualTo></fes:Filter>')
    assert isinstance(node, ast.Like) and node.nocase and node.not_ and node.pattern == "A_%"


def test_distance_units_attribute_of_filter_1_1():
    node = parse(f'<ogc:Filter {F11}><ogc:Beyond><ogc:PropertyName>geom</ogc:PropertyName><gml:Point>'
                 f'<gml:coordinates>120.5,31.9</gml:coordinates></gml:Point><ogc:Distance units="km">2'
                 f'</ogc:Distance></ogc:Beyond></ogc:Filter>', version="1.1.0", default="EPSG:4490")
    assert node.units == "km" and node.distance == 2


@pytest.mark.parametrize("body", [
    "<fes:PropertyIsEqualTo><fes:ValueReference>a</fes:ValueReference></fes:PropertyIsEqualTo>",
    "<fes:PropertyIsLike><fes:ValueReference>a</fes:ValueReference><fes:Literal>x</fes:Literal></fes:PropertyIsLike>",
    "<fes:BBOX/>",
    "<fes:And/><fes:Or/>",
    '<fes:Within><fes:ValueReference>geom</fes:ValueReference><gml:Polygon gml:id="p"><gml:exterior>'
    "<gml:LinearRing><gml:posList>1 2 3</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></fes:Within>",
])
def test_malformed_filters_are_parse_failures(body):
    with pytest.raises(FilterParsingError):
        parse(f"<fes:Filter {F20}>{body}</fes:Filter>")


def test_operators_without_a_namespace_are_read_in_the_filters():
    # GDAL's wfs:Delete: <ogc:Filter><PropertyIsEqualTo>… with no default namespace.
    node = parse(f'<ogc:Filter {F11}><PropertyIsEqualTo><PropertyName>name</PropertyName>'
                 f'<Literal>西栓</Literal></PropertyIsEqualTo></ogc:Filter>', version="1.1.0")
    assert isinstance(node, ast.Equal) and node.lhs.name == "name" and node.rhs == "西栓"
