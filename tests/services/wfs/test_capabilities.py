"""Capabilities and DescribeFeatureType list what the caller may see, and say it truthfully."""

import pytest
from django.contrib.auth.models import User

from tests.services.ogc import NS, xml

pytestmark = pytest.mark.django_db

CAPS = "/ows?SERVICE=WFS&REQUEST=GetCapabilities"


def type_names(root, wfs="wfs") -> list[str]:
    return [e.text for e in root.iterfind(f"{wfs}:FeatureTypeList/{wfs}:FeatureType/{wfs}:Name", NS)]


def test_lists_only_the_visible_vector_layers(client, wfs_layers):
    root = xml(client.get(CAPS))
    assert root.tag == f"{{{NS['wfs']}}}WFS_Capabilities" and root.get("version") == "2.0.0"
    names = type_names(root)
    assert {"geoshare:parcels", "geoshare:wfs_roads", "geoshare:wfs_schools"} <= set(names)
    assert names == sorted(names)
    # Internal layers (ours and the demo city's) and rasters are no feature types here.
    assert not {"geoshare:secret_plans", "geoshare:rooms", "geoshare:dem"} & set(names)
    client.force_login(User.objects.create_superuser("root", "root@example.org", "pw"))
    assert "geoshare:secret_plans" in type_names(xml(client.get(CAPS)))


def test_feature_types_carry_crs_and_lon_lat_bounds(client, wfs_layers):
    root = xml(client.get(CAPS))
    parcels = next(t for t in root.iterfind("wfs:FeatureTypeList/wfs:FeatureType", NS)
                   if t.findtext("wfs:Name", namespaces=NS) == "geoshare:parcels")
    assert parcels.findtext("wfs:DefaultCRS", namespaces=NS) == "urn:ogc:def:crs:EPSG::4549"
    assert [e.text for e in parcels.findall("wfs:OtherCRS", NS)] == [
        "urn:ogc:def:crs:EPSG::4490", "urn:ogc:def:crs:EPSG::4326", "urn:ogc:def:crs:EPSG::3857",
        "urn:ogc:def:crs:OGC:1.3:CRS84",
    ]
    west, south = map(float, parcels.findtext("ows:WGS84BoundingBox/ows:LowerCorner", namespaces=NS).split())
    assert 120 < west < 121 and 31 < south < 32


def test_advertised_hrefs_carry_the_token(client, wfs_layers):
    from geoshare.access import tokens

    admin = User.objects.create_superuser("gis", "gis@example.org", "pw")
    secret, _ = tokens.issue(admin, "qgis")
    root = xml(client.get(CAPS + f"&token={secret}"))
    assert "geoshare:secret_plans" in type_names(root)
    hrefs = [e.get(f"{{{NS['xlink']}}}href") for e in root.iter() if e.get(f"{{{NS['xlink']}}}href")]
    assert hrefs and all(f"token={secret}" in h for h in hrefs)
    page = xml(client.get(f"/ows?SERVICE=WFS&REQUEST=GetFeature&TYPENAMES=geoshare:wfs_schools&COUNT=5&token={secret}"))
    assert f"token={secret}" in page.get("next")


def test_filter_capabilities_and_paging_constraints(client, wfs_layers):
    root = xml(client.get(CAPS))
    constraints = {c.get("name"): c.findtext("ows:DefaultValue", namespaces=NS)
                   for c in root.iterfind("ows:OperationsMetadata/ows:Constraint", NS)}
    assert constraints["ImplementsResultPaging"] == "TRUE" and constraints["ImplementsTransactionalWFS"] == "FALSE"
    assert int(constraints["CountDefault"]) >= 100_000
    conformance = {c.get("name"): c.findtext("ows:DefaultValue", namespaces=NS)
                   for c in root.iterfind("fes:Filter_Capabilities/fes:Conformance/fes:Constraint", NS)}
    assert conformance["ImplementsResourceId"] == "TRUE" and conformance["ImplementsFunctions"] == "FALSE"
    spatial = [e.get("name") for e in root.iterfind(".//fes:SpatialOperator", NS)]
    assert "DWithin" in spatial and "BBOX" in spatial


def test_wfs_1_1_capabilities(client, wfs_layers):
    root = xml(client.get(CAPS + "&VERSION=1.1.0"))
    assert root.tag == f"{{{NS['wfs11']}}}WFS_Capabilities"
    assert set(type_names(root, "wfs11")) == set(type_names(xml(client.get(CAPS))))
    srs = {t.findtext("wfs11:Name", namespaces=NS): t.findtext("wfs11:DefaultSRS", namespaces=NS)
           for t in root.iterfind(".//wfs11:FeatureType", NS)}
    assert srs["geoshare:parcels"] == "urn:ogc:def:crs:EPSG::4549"
    assert root.find(".//ogc:Id_Capabilities/ogc:FID", NS) is not None


def test_capabilities_cost_a_fixed_number_of_queries(client, wfs_layers, django_assert_max_num_queries):
    import shapely

    from tests.factories import vector_layer

    for n in range(5):
        vector_layer(f"extra_{n}", [shapely.Point(120.5, 31.9)], {"a": [n]})
    with django_assert_max_num_queries(3):
        client.get(CAPS)


def test_describe_feature_type_types_each_column(client, wfs_layers):
    root = xml(client.get("/ows?SERVICE=WFS&REQUEST=DescribeFeatureType&TYPENAMES=geoshare:wfs_schools"))
    assert root.get("targetNamespace") == NS["geoshare"]
    elements = {e.get("name"): e.get("type") for e in root.iterfind(".//xsd:sequence/xsd:element", NS)}
    assert elements == {
        "geom": "gml:PointPropertyType", "name": "xsd:string", "n": "xsd:long", "score": "xsd:double",
        "kind": "xsd:string", "note": "xsd:string", "opened": "xsd:date", "secret": "xsd:string",
    }
    every = xml(client.get("/ows?SERVICE=WFS&REQUEST=DescribeFeatureType"))
    described = {e.get("name") for e in every.findall("xsd:element", NS)}
    assert {"parcels", "wfs_roads", "wfs_schools"} <= described and "secret_plans" not in described
    gml311 = xml(client.get("/ows?SERVICE=WFS&VERSION=1.1.0&REQUEST=DescribeFeatureType&TYPENAME=geoshare:wfs_roads"))
    assert gml311.find("xsd:element", NS).get("substitutionGroup") == "gml:_Feature"
    assert gml311.find(".//xsd:element", NS).get("type") == "gml:MultiCurvePropertyType"


def test_landing_page_links_vector_layers_to_wfs(client, wfs_layers):
    page = client.get("/").content.decode()
    assert "ows?SERVICE=WFS&amp;VERSION=2.0.0&amp;REQUEST=GetFeature&amp;TYPENAMES=geoshare:wfs_schools" in page
