"""A real grant's terms hold in every output: hidden attributes, row filter, area limit.

The registry is an internal layer of the education bureau; a planner of another department
holds a grant that shows rows with n < 15, west of 120.545, without the ID numbers.
"""

import csv
import io
import json
import zipfile
from urllib.parse import urlencode

import pyogrio
import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import GEOSGeometry

from geoshare.access.models import LayerGrant, Profile, Tier
from tests.factories import department, vector_layer
from tests.services.ogc import NS, xml
from tests.services.wfs.conftest import school_fields, school_points

pytestmark = pytest.mark.django_db

BASE = "/ows?SERVICE=WFS&REQUEST=GetFeature&TYPENAMES=geoshare:registry"
AREA = GEOSGeometry("MULTIPOLYGON(((120.4 31.8, 120.545 31.8, 120.545 32.0, 120.4 32.0, 120.4 31.8)))", srid=4490)


@pytest.fixture
def restricted(client):
    registry = vector_layer("registry", school_points(), school_fields(), tier=Tier.INTERNAL,
                            dept=department("edu", "教育局"))
    LayerGrant.objects.create(layer=registry, department=department("ghj", "规划局"),
                              row_filter="n < 15", hidden_fields=["secret"], area_limit=AREA)
    planner = User.objects.create_user("planner")
    Profile.objects.create(user=planner, department=department("ghj"))
    client.force_login(planner)
    return registry


def body(response) -> bytes:
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content) if response.streaming else response.content


# Schools 0-4 (fids 1-5) and 10-14 (fids 11-15) lie west of 120.545 and have n < 15.
VISIBLE = [1, 2, 3, 4, 5, 11, 12, 13, 14, 15]


def test_gml_and_schema(client, restricted):
    content = body(client.get(BASE))
    assert "身份证".encode() not in content and b"secret" not in content
    root = xml(client.get(BASE))
    assert [int(m.get(f"{{{NS['gml']}}}id").split(".")[1]) for m in root.iterfind("wfs:member/*", NS)] == VISIBLE
    schema = body(client.get("/ows?SERVICE=WFS&REQUEST=DescribeFeatureType&TYPENAMES=geoshare:registry"))
    assert b"secret" not in schema


@pytest.mark.parametrize("output_format", ["application/json", "text/xml; subtype=gml/3.1.1"])
def test_streamed_formats(client, restricted, output_format):
    content = body(client.get(BASE + "&" + urlencode({"OUTPUTFORMAT": output_format})))
    assert "身份证".encode() not in content and b"secret" not in content
    if output_format == "application/json":
        assert [f["id"] for f in json.loads(content)["features"]] == [f"registry.{i}" for i in VISIBLE]


@pytest.mark.parametrize("output_format, path", [("SHAPE-ZIP", "registry.zip"), ("gpkg", "registry.gpkg"),
                                                  ("text/csv", "registry.csv")])
def test_files_are_downloads(client, restricted, tmp_path, output_format, path):
    # A view grant shows the features; files to keep need a download grant.
    url = BASE + "&" + urlencode({"OUTPUTFORMAT": output_format})
    assert client.get(url).status_code == 400
    LayerGrant.objects.filter(layer=restricted).update(action="download")
    file = tmp_path / path
    file.write_bytes(body(client.get(url)))
    if path.endswith("csv"):
        rows = list(csv.DictReader(io.StringIO(file.read_text("utf-8-sig"))))
        assert [int(r["fid"]) for r in rows] == VISIBLE and "secret" not in rows[0]
        return
    source = f"/vsizip/{file}/registry.shp" if path.endswith("zip") else file
    if path.endswith("zip"):
        assert all("secret" not in n for n in zipfile.ZipFile(file).namelist())
    meta, _, geometry, _ = pyogrio.raw.read(source)
    assert "secret" not in list(meta["fields"]) and len(geometry) == len(VISIBLE)


def test_property_value_of_a_hidden_field_is_an_unknown_property(client, restricted):
    response = client.get("/ows?SERVICE=WFS&REQUEST=GetPropertyValue&TYPENAMES=geoshare:registry&VALUEREFERENCE=secret")
    assert response.status_code == 400
    response = client.get(BASE + "&" + urlencode({
        "FILTER": "<fes:Filter xmlns:fes='http://www.opengis.net/fes/2.0'><fes:PropertyIsNull>"
                  "<fes:ValueReference>secret</fes:ValueReference></fes:PropertyIsNull></fes:Filter>"}))
    assert response.status_code == 400


def test_hits_and_by_id_respect_the_grant(client, restricted):
    assert xml(client.get(BASE + "&RESULTTYPE=hits")).get("numberMatched") == str(len(VISIBLE))
    response = client.get("/ows?SERVICE=WFS&REQUEST=GetFeature&STOREDQUERY_ID=urn:ogc:def:query:OGC-WFS::"
                          "GetFeatureById&ID=registry.20")
    assert response.status_code == 404


def test_the_registry_does_not_exist_for_anonymous_callers(client, restricted):
    client.logout()
    assert client.get(BASE).status_code == 400
    assert b"geoshare:registry" not in client.get("/ows?SERVICE=WFS&REQUEST=GetCapabilities").content
