"""Every operator the capabilities advertise, run through GetFeature and checked against the
same predicate evaluated here (Python values, shapely geometries): the Filter_Capabilities
tell the truth."""

import datetime

import pytest
import shapely
from pyproj import Geod

from services.wfs.capabilities import COMPARISON_OPERATORS, SPATIAL_OPERATORS, TEMPORAL_OPERATORS
from tests.services.ogc import NS, xml
from tests.services.wfs.conftest import ROADS, SCHOOL_COUNT, school_fields, school_points

pytestmark = pytest.mark.django_db

FES = f'xmlns:fes="{NS["fes"]}" xmlns:gml="{NS["gml"]}"'
SCHOOLS = [
    {"fid": i + 1, "geometry": point, **{k: v[i] for k, v in school_fields().items()}}
    for i, point in enumerate(school_points())
]
for row in SCHOOLS:
    row["opened"] = row["opened"].item()


def fids(client, type_name: str, predicate: str) -> list[int]:
    document = f"""<wfs:GetFeature service="WFS" version="2.0.0" xmlns:wfs="{NS['wfs']}" {FES}>
      <wfs:Query typeNames="geoshare:{type_name}"><fes:Filter>{predicate}</fes:Filter></wfs:Query>
    </wfs:GetFeature>"""
    response = client.post("/ows", document.encode(), content_type="application/xml")
    assert response.status_code == 200, response.content
    return [int(m.get(f"{{{NS['gml']}}}id").split(".")[1]) for m in xml(response).iterfind("wfs:member/*", NS)]


def expected(condition) -> list[int]:
    return [row["fid"] for row in SCHOOLS if condition(row)]


COMPARISONS = {
    "PropertyIsEqualTo": ("<fes:ValueReference>kind</fes:ValueReference><fes:Literal>小学</fes:Literal>",
                          lambda r: r["kind"] == "小学"),
    "PropertyIsNotEqualTo": ("<fes:ValueReference>n</fes:ValueReference><fes:Literal>3</fes:Literal>",
                             lambda r: r["n"] != 3),
    "PropertyIsLessThan": ("<fes:ValueReference>score</fes:ValueReference><fes:Literal>6</fes:Literal>",
                           lambda r: r["score"] < 6),
    "PropertyIsGreaterThan": ("<fes:ValueReference>n</fes:ValueReference><fes:Literal>15</fes:Literal>",
                              lambda r: r["n"] > 15),
    "PropertyIsLessThanOrEqualTo": ("<fes:ValueReference>n</fes:ValueReference><fes:Literal>4</fes:Literal>",
                                    lambda r: r["n"] <= 4),
    "PropertyIsGreaterThanOrEqualTo": (
        "<fes:ValueReference>opened</fes:ValueReference><fes:Literal>2021-01-01</fes:Literal>",
        lambda r: r["opened"] >= datetime.date(2021, 1, 1)),
    "PropertyIsLike": ("<fes:ValueReference>name</fes:ValueReference><fes:Literal>学校1*</fes:Literal>",
                       lambda r: r["name"].startswith("学校1")),
    "PropertyIsNull": ("<fes:ValueReference>note</fes:ValueReference>", lambda r: r["note"] is None),
    "PropertyIsBetween": (
        "<fes:ValueReference>n</fes:ValueReference><fes:LowerBoundary><fes:Literal>5</fes:Literal>"
        "</fes:LowerBoundary><fes:UpperBoundary><fes:Literal>8</fes:Literal></fes:UpperBoundary>",
        lambda r: 5 <= r["n"] <= 8),
}


def test_every_advertised_comparison_is_tested():
    assert set(COMPARISONS) == set(COMPARISON_OPERATORS)


@pytest.mark.parametrize("operator", COMPARISON_OPERATORS)
def test_comparison_operators(client, wfs_layers, operator):
    body, condition = COMPARISONS[operator]
    attributes = ' wildCard="*" singleChar="?" escapeChar="\\"' if operator == "PropertyIsLike" else ""
    assert fids(client, "wfs_schools", f"<fes:{operator}{attributes}>{body}</fes:{operator}>") == expected(condition)


def test_match_case_false_and_logical_operators(client, wfs_layers):
    predicate = """<fes:Or><fes:And>
        <fes:PropertyIsEqualTo matchCase="false"><fes:ValueReference>note</fes:ValueReference>
          <fes:Literal>NOTE 3</fes:Literal></fes:PropertyIsEqualTo>
        <fes:Not><fes:PropertyIsNull><fes:ValueReference>note</fes:ValueReference></fes:PropertyIsNull></fes:Not>
      </fes:And><fes:PropertyIsEqualTo><fes:ValueReference>n</fes:ValueReference>
        <fes:Literal>19</fes:Literal></fes:PropertyIsEqualTo></fes:Or>"""
    assert fids(client, "wfs_schools", predicate) == [4, 20]


POLYGON = shapely.Polygon([(120.515, 31.89), (120.545, 31.89), (120.545, 31.96), (120.515, 31.96)])
# Its west edge runs through no school; a polygon whose corner is school 1 touches it.
CORNER = shapely.Polygon([(120.50, 31.90), (120.49, 31.90), (120.49, 31.89), (120.50, 31.89)])


def gml_polygon(polygon, srs="urn:ogc:def:crs:EPSG::4490", yx=True) -> str:
    coords = " ".join(f"{y} {x}" if yx else f"{x} {y}" for x, y in polygon.exterior.coords)
    return (f'<gml:Polygon gml:id="p" srsName="{srs}"><gml:exterior><gml:LinearRing>'
            f"<gml:posList>{coords}</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon>")


def spatial_cases():
    point_1 = school_points()[1]
    return {
        "BBOX": ("wfs_schools", '<fes:BBOX><gml:Envelope srsName="urn:ogc:def:crs:EPSG::4490">'
                 "<gml:lowerCorner>31.89 120.515</gml:lowerCorner>"
                 "<gml:upperCorner>31.96 120.545</gml:upperCorner></gml:Envelope></fes:BBOX>",
                 [r["fid"] for r in SCHOOLS if POLYGON.intersects(r["geometry"])]),
        "Intersects": ("wfs_schools", f"<fes:Intersects><fes:ValueReference>geom</fes:ValueReference>"
                       f"{gml_polygon(POLYGON)}</fes:Intersects>",
                       [r["fid"] for r in SCHOOLS if POLYGON.intersects(r["geometry"])]),
        "Within": ("wfs_schools", f"<fes:Within><fes:ValueReference>geom</fes:ValueReference>"
                   f"{gml_polygon(POLYGON, 'EPSG:4490', yx=True)}</fes:Within>",
                   [r["fid"] for r in SCHOOLS if r["geometry"].within(POLYGON)]),
        "Disjoint": ("wfs_schools", f"<fes:Disjoint><fes:ValueReference>geom</fes:ValueReference>"
                     f"{gml_polygon(POLYGON, 'urn:ogc:def:crs:OGC:1.3:CRS84', yx=False)}</fes:Disjoint>",
                     [r["fid"] for r in SCHOOLS if r["geometry"].disjoint(POLYGON)]),
        "Touches": ("wfs_schools", f"<fes:Touches><fes:ValueReference>geom</fes:ValueReference>"
                    f"{gml_polygon(CORNER)}</fes:Touches>",
                    [r["fid"] for r in SCHOOLS if r["geometry"].touches(CORNER)]),
        "Equals": ("wfs_schools", f'<fes:Equals><fes:ValueReference>geom</fes:ValueReference><gml:Point gml:id="q" '
                   f'srsName="urn:ogc:def:crs:EPSG::4490"><gml:pos>{point_1.y} {point_1.x}</gml:pos></gml:Point>'
                   f"</fes:Equals>", [2]),
        "Contains": ("wfs_roads", '<fes:Contains><fes:ValueReference>geom</fes:ValueReference><gml:Point gml:id="q" '
                     'srsName="http://www.opengis.net/gml/srs/epsg.xml#4490"><gml:pos>120.5 31.95</gml:pos>'
                     "</gml:Point></fes:Contains>",
                     [i + 1 for i, road in enumerate(ROADS) if road.contains(shapely.Point(120.5, 31.95))]),
        "Crosses": ("wfs_roads", f"<fes:Crosses><fes:ValueReference>geom</fes:ValueReference>"
                    f"{gml_polygon(POLYGON)}</fes:Crosses>",
                    [i + 1 for i, road in enumerate(ROADS) if road.crosses(POLYGON)]),
        "Overlaps": ("wfs_roads", '<fes:Overlaps><fes:ValueReference>geom</fes:ValueReference><gml:LineString '
                     'gml:id="l" srsName="urn:ogc:def:crs:EPSG::4490"><gml:posList>31.90 120.40 31.90 120.52'
                     "</gml:posList></gml:LineString></fes:Overlaps>",
                     [i + 1 for i, road in enumerate(ROADS)
                      if road.overlaps(shapely.LineString([(120.40, 31.90), (120.52, 31.90)]))]),
    }


def distance_ids(metres: float, beyond: bool) -> list[int]:
    geod, centre = Geod(ellps="GRS80"), (120.52, 31.90)
    out = []
    for row in SCHOOLS:
        _, _, distance = geod.inv(centre[0], centre[1], row["geometry"].x, row["geometry"].y)
        if (distance > metres) == beyond:
            out.append(row["fid"])
    return out


def test_every_advertised_spatial_operator_is_tested():
    assert set(spatial_cases()) | {"DWithin", "Beyond"} == set(SPATIAL_OPERATORS)


@pytest.mark.parametrize("operator", [op for op in SPATIAL_OPERATORS if op not in ("DWithin", "Beyond")])
def test_spatial_operators(client, wfs_layers, operator):
    type_name, predicate, wanted = spatial_cases()[operator]
    assert wanted, "a case that selects nothing proves little"
    assert fids(client, type_name, predicate) == wanted


@pytest.mark.parametrize("operator, beyond", [("DWithin", False), ("Beyond", True)])
def test_distance_operators_in_metres_on_geographic_data(client, wfs_layers, operator, beyond):
    predicate = (f'<fes:{operator}><fes:ValueReference>geom</fes:ValueReference><gml:Point gml:id="c" '
                 f'srsName="urn:ogc:def:crs:EPSG::4490"><gml:pos>31.90 120.52</gml:pos></gml:Point>'
                 f'<fes:Distance uom="m">2500</fes:Distance></fes:{operator}>')
    assert fids(client, "wfs_schools", predicate) == distance_ids(2500, beyond)


TEMPORAL = {
    "After": ("<gml:TimeInstant gml:id='t'><gml:timePosition>2021-01-01T00:00:00Z</gml:timePosition></gml:TimeInstant>",
              lambda d: d > datetime.date(2021, 1, 1)),
    "Before": ("<gml:TimeInstant gml:id='t'><gml:timePosition>2020-06-01T00:00:00Z</gml:timePosition></gml:TimeInstant>",
               lambda d: d < datetime.date(2020, 6, 1)),
    "TEquals": ("<gml:TimeInstant gml:id='t'><gml:timePosition>2020-01-31T00:00:00Z</gml:timePosition></gml:TimeInstant>",
                lambda d: d == datetime.date(2020, 1, 31)),
    "During": ("<gml:TimePeriod gml:id='t'><gml:beginPosition>2020-03-01T00:00:00Z</gml:beginPosition>"
               "<gml:endPosition>2020-08-01T00:00:00Z</gml:endPosition></gml:TimePeriod>",
               lambda d: datetime.date(2020, 3, 1) <= d <= datetime.date(2020, 8, 1)),
}


@pytest.mark.parametrize("operator", TEMPORAL_OPERATORS)
def test_temporal_operators(client, wfs_layers, operator):
    operand, condition = TEMPORAL[operator]
    predicate = f"<fes:{operator}><fes:ValueReference>opened</fes:ValueReference>{operand}</fes:{operator}>"
    wanted = expected(lambda r: condition(r["opened"]))
    assert wanted
    assert fids(client, "wfs_schools", predicate) == wanted


def test_resource_ids_of_the_type_and_not_of_others(client, wfs_layers):
    predicate_ids = '<fes:ResourceId rid="wfs_schools.3"/><fes:ResourceId rid="wfs_roads.1"/><fes:ResourceId rid="wfs_schools.9"/>'
    document = f"""<wfs:GetFeature service="WFS" version="2.0.0" xmlns:wfs="{NS['wfs']}" {FES}>
      <wfs:Query typeNames="geoshare:wfs_schools"><fes:Filter>{predicate_ids}</fes:Filter></wfs:Query>
    </wfs:GetFeature>"""
    root = xml(client.post("/ows", document.encode(), content_type="application/xml"))
    assert [m.get(f"{{{NS['gml']}}}id") for m in root.iterfind("wfs:member/*", NS)] == ["wfs_schools.3", "wfs_schools.9"]


def test_filter_1_1_arithmetic_and_feature_ids(client, wfs_layers):
    document = f"""<wfs:GetFeature service="WFS" version="1.1.0" xmlns:wfs="{NS['wfs11']}" xmlns:ogc="{NS['ogc']}">
      <wfs:Query typeName="geoshare:wfs_schools"><ogc:Filter><ogc:PropertyIsGreaterThan>
        <ogc:Add><ogc:PropertyName>n</ogc:PropertyName><ogc:Literal>10</ogc:Literal></ogc:Add>
        <ogc:Literal>27</ogc:Literal></ogc:PropertyIsGreaterThan></ogc:Filter></wfs:Query>
    </wfs:GetFeature>"""
    root = xml(client.post("/ows", document.encode(), content_type="application/xml"))
    assert len(root.findall("gml311:featureMember", NS)) == SCHOOL_COUNT - 18
    kvp = f'<ogc:Filter xmlns:ogc="{NS["ogc"]}"><ogc:FeatureId fid="wfs_schools.7"/></ogc:Filter>'
    root = xml(client.get("/ows", {"SERVICE": "WFS", "VERSION": "1.1.0", "REQUEST": "GetFeature",
                                   "TYPENAME": "geoshare:wfs_schools", "FILTER": kvp}))
    assert [m.get(f"{{{NS['gml311']}}}id") for m in root.iterfind("gml311:featureMember/*", NS)] == ["wfs_schools.7"]
