"""The grant's terms hold in every output: hidden attributes, row filter, area limit."""

import csv
import io
import json
import zipfile
from urllib.parse import urlencode

import pyogrio
import pytest
from django.contrib.gis.geos import GEOSGeometry

from geoshare.access import policy
from layers.filters import parse_cql2_text
from tests.services.ogc import NS, xml

pytestmark = pytest.mark.django_db

BASE = "/ows?SERVICE=WFS&REQUEST=GetFeature&TYPENAMES=geoshare:schools"
# Only the western half of the schools (lon < 120.545) lies inside the area limit.
AREA = GEOSGeometry("MULTIPOLYGON(((120.4 31.8, 120.545 31.8, 120.545 32.0, 120.4 32.0, 120.4 31.8)))", srid=4490)


@pytest.fixture
def restricted(monkeypatch, wfs_layers):
    real = policy.grant_for

    def grant_for(principal, name, action=policy.Action.VIEW):
        grant = real(principal, name, action)
        if grant.layer.name != "schools":
            return grant
        return policy.Grant(grant.layer, action, row_filter=parse_cql2_text("n < 15"),
                            hidden_fields=frozenset({"secret"}), area_limit=AREA)

    monkeypatch.setattr(policy, "grant_for", grant_for)


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
    schema = body(client.get("/ows?SERVICE=WFS&REQUEST=DescribeFeatureType&TYPENAMES=geoshare:schools"))
    assert b"secret" not in schema


@pytest.mark.parametrize("output_format", ["application/json", "text/csv", "text/xml; subtype=gml/3.1.1"])
def test_streamed_formats(client, restricted, output_format):
    content = body(client.get(BASE + "&" + urlencode({"OUTPUTFORMAT": output_format})))
    assert "身份证".encode() not in content and b"secret" not in content
    if output_format == "application/json":
        assert [f["id"] for f in json.loads(content)["features"]] == [f"schools.{i}" for i in VISIBLE]
    if output_format == "text/csv":
        assert [int(r["fid"]) for r in csv.DictReader(io.StringIO(content.decode()[1:]))] == VISIBLE


@pytest.mark.parametrize("output_format, path", [("SHAPE-ZIP", "schools.zip"), ("gpkg", "schools.gpkg")])
def test_files(client, restricted, tmp_path, output_format, path):
    file = tmp_path / path
    file.write_bytes(body(client.get(BASE + "&" + urlencode({"OUTPUTFORMAT": output_format}))))
    source = f"/vsizip/{file}/schools.shp" if path.endswith("zip") else file
    if path.endswith("zip"):
        assert all("secret" not in n for n in zipfile.ZipFile(file).namelist())
    meta, _, geometry, _ = pyogrio.raw.read(source)
    assert "secret" not in list(meta["fields"]) and len(geometry) == len(VISIBLE)


def test_property_value_of_a_hidden_field_is_an_unknown_property(client, restricted):
    response = client.get("/ows?SERVICE=WFS&REQUEST=GetPropertyValue&TYPENAMES=geoshare:schools&VALUEREFERENCE=secret")
    assert response.status_code == 400
    response = client.get(BASE + "&" + urlencode({
        "FILTER": "<fes:Filter xmlns:fes='http://www.opengis.net/fes/2.0'><fes:PropertyIsNull>"
                  "<fes:ValueReference>secret</fes:ValueReference></fes:PropertyIsNull></fes:Filter>"}))
    assert response.status_code == 400


def test_hits_and_by_id_respect_the_grant(client, restricted):
    assert xml(client.get(BASE + "&RESULTTYPE=hits")).get("numberMatched") == str(len(VISIBLE))
    response = client.get("/ows?SERVICE=WFS&REQUEST=GetFeature&STOREDQUERY_ID=urn:ogc:def:query:OGC-WFS::"
                          "GetFeatureById&ID=schools.20")
    assert response.status_code == 404
