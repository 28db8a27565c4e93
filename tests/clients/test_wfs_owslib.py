"""OWSLib's WebFeatureService (2.0.0 and 1.1.0) against the live server."""

import pytest
from lxml import etree
from owslib.feature.schema import get_schema
from owslib.wfs import WebFeatureService

from tests.services.ogc import NS

pytestmark = pytest.mark.django_db(transaction=True)


def ids(response, member="wfs:member", gml="gml") -> list[str]:
    root = etree.fromstring(response.read())
    return [m.get(f"{{{NS[gml]}}}id") for m in root.iterfind(f"{member}/*", NS)]


def test_wfs_2_0(client_layers, ows_url):
    wfs = WebFeatureService(ows_url, version="2.0.0")
    assert {"geoshare:parcels", "geoshare:wfs_schools"} <= set(wfs.contents)
    wfs_schools = wfs.contents["geoshare:wfs_schools"]
    assert wfs_schools.crsOptions[0].code == 4490 and wfs_schools.crsOptions[0].encoding == "urn"
    west, south, east, north = wfs_schools.boundingBoxWGS84
    assert (west, south) == pytest.approx((120.50, 31.90))
    # OWSLib swaps the box to lat/lon for the urn DefaultCRS, as the server expects.
    response = wfs.getfeature(typename="geoshare:wfs_schools", bbox=(120.525, 31.89, 120.555, 31.91), maxfeatures=10)
    assert ids(response) == ["wfs_schools.4", "wfs_schools.5", "wfs_schools.6"]
    schema = get_schema(ows_url, "geoshare:wfs_schools", version="2.0.0")
    assert schema["properties"]["name"] == "string" and schema["geometry"] == "Point"


def test_wfs_2_0_filter_post_and_stored_query(client_layers, ows_url):
    wfs = WebFeatureService(ows_url, version="2.0.0")
    fes = (f'<fes:Filter xmlns:fes="{NS["fes"]}"><fes:PropertyIsLike wildCard="*" singleChar="." '
           f'escapeChar="!"><fes:ValueReference>name</fes:ValueReference><fes:Literal>学校1*</fes:Literal>'
           f"</fes:PropertyIsLike></fes:Filter>")
    response = wfs.getfeature(typename="geoshare:wfs_schools", filter=fes, method="Post")
    assert len(ids(response)) == 11  # 学校1 and 学校10…学校19
    queries = {q.id: q for q in wfs.storedqueries}
    assert "ID" in [p.name for p in queries["urn:ogc:def:query:OGC-WFS::GetFeatureById"].parameters]
    response = wfs.getfeature(storedQueryID="urn:ogc:def:query:OGC-WFS::GetFeatureById",
                              storedQueryParams={"ID": "parcels.2"})
    root = etree.fromstring(response.read())
    assert root.findtext("geoshare:code", namespaces=NS) == "地块1"
    # OWSLib 0.35's default method name never matches an advertised one; say "Get".
    values = wfs.getpropertyvalue(typename="geoshare:parcels", valuereference="code", method="Get")
    assert "地块4" in values.decode()


def test_wfs_1_1(client_layers, ows_url):
    wfs = WebFeatureService(ows_url, version="1.1.0")
    assert "geoshare:parcels" in wfs.contents
    response = wfs.getfeature(typename=["geoshare:wfs_schools"], bbox=(120.525, 31.89, 120.555, 31.91, "EPSG:4490"),
                              srsname="EPSG:4490")
    root = etree.fromstring(response.read())
    members = root.findall("gml311:featureMember/geoshare:wfs_schools", NS)
    assert len(members) == 3
    x, y = map(float, members[0].findtext(".//gml311:pos", namespaces=NS).split())
    assert (x, y) == pytest.approx((120.53, 31.90))  # EPSG:4490 in WFS 1.1.0 is lon/lat
