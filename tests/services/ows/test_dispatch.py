"""The /ows plumbing, exercised through a small service registered for the test."""

import pytest
from django.http import HttpResponse
from lxml import etree

from geoshare.errors import InvalidParameterError, LayerNotFoundError
from services.ows import dispatch
from services.ows.dispatch import OperationNotSupportedError, OwsService

OWS = "{http://www.opengis.net/ows/1.1}"


def get_capabilities(request):
    return HttpResponse(f"caps {request.version}", content_type="text/plain")


def describe(request):
    raise LayerNotFoundError(request.kvp.required("typeNames"), "typeNames")


def explode(request):
    raise RuntimeError("database password is hunter2")


@pytest.fixture(autouse=True)
def toy_service():
    service = OwsService(
        name="TOY",
        versions=("1.0.0", "2.0.0"),
        operations={"GetCapabilities": get_capabilities, "Describe": describe, "Explode": explode},
        codes={
            LayerNotFoundError: "InvalidParameterValue",
            OperationNotSupportedError: ("OperationNotSupported", 400),
            InvalidParameterError: "InvalidParameterValue",
        },
        exception_flavour=lambda version: "ows11",
        xml_namespaces={"urn:toy": "2.0.0"},
    )
    before = dict(dispatch._services)
    dispatch.register(service)
    yield service
    dispatch._services.clear()
    dispatch._services.update(before)


def exception(response):
    root = etree.fromstring(response.content)
    element = root.find(f"{OWS}Exception")
    return element.get("exceptionCode"), element.get("locator"), element.findtext(f"{OWS}ExceptionText")


def test_parameter_names_are_case_insensitive(client):
    response = client.get("/ows", {"service": "toy", "request": "getcapabilities"})
    assert response.content == b"caps 2.0.0"


def test_capabilities_version_negotiation(client):
    assert client.get("/ows?SERVICE=TOY&REQUEST=GetCapabilities&VERSION=1.5.0").content == b"caps 1.0.0"
    assert client.get("/ows?SERVICE=TOY&REQUEST=GetCapabilities&ACCEPTVERSIONS=9.0,1.0.0").content == b"caps 1.0.0"
    response = client.get("/ows?SERVICE=TOY&REQUEST=GetCapabilities&ACCEPTVERSIONS=9.0")
    assert response.status_code == 400
    assert exception(response)[:2] == ("InvalidParameterValue", "AcceptVersions")


def test_unknown_operation_names_the_operations(client):
    response = client.get("/ows?SERVICE=TOY&REQUEST=Nope")
    assert response.status_code == 400
    code, locator, text = exception(response)
    assert (code, locator) == ("OperationNotSupported", "request")
    assert "GetCapabilities" in text


def test_unknown_service_and_missing_request(client):
    response = client.get("/ows?SERVICE=NOPE&REQUEST=GetCapabilities")
    assert response.status_code == 400 and exception(response)[1] == "service"
    response = client.get("/ows?SERVICE=TOY")
    assert response.status_code == 400
    assert exception(response)[:2] == ("MissingParameterValue", "REQUEST") or exception(response)[1] == "REQUEST"


def test_engine_errors_become_the_protocols_report(client):
    response = client.get("/ows?SERVICE=TOY&REQUEST=Describe&typeNames=secret_layer")
    assert response.status_code == 400
    assert exception(response) == ("InvalidParameterValue", "typeNames", "no layer named 'secret_layer'")


def test_internal_errors_hide_their_details(client, caplog):
    response = client.get("/ows?SERVICE=TOY&REQUEST=Explode")
    assert response.status_code == 500
    code, _, text = exception(response)
    assert code == "NoApplicableCode" and "hunter2" not in text
    assert "hunter2" in caplog.text  # but the log keeps them


def test_post_xml_finds_service_by_namespace(client):
    response = client.post("/ows", b'<Describe xmlns="urn:toy" typeNames="x"/>', content_type="text/xml")
    assert response.status_code == 400  # reached the operation: typeNames is KVP-only here


@pytest.mark.parametrize("body", [
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
    b'<GetCapabilities xmlns="urn:toy">&lol2;</GetCapabilities>',
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b'<GetCapabilities xmlns="urn:toy">&xxe;</GetCapabilities>',
    b"<GetCapabilities xmlns='urn:toy'><unclosed></GetCapabilities>",
    b"\xff\xfe not xml",
])
def test_hostile_or_broken_xml_is_refused(client, body):
    response = client.post("/ows", body, content_type="application/xml")
    assert response.status_code == 400
    assert b"root:" not in response.content


def test_nul_in_parameters_is_refused(client):
    response = client.get("/ows?SERVICE=TOY&REQUEST=Describe&typeNames=a%00b")
    assert response.status_code == 400


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "TRACE", "PROPFIND"])
def test_methods_outside_get_head_post_are_refused_with_allow(client, method):
    response = client.generic(method, "/ows?SERVICE=TOY&REQUEST=GetCapabilities", b"<x/>",
                              content_type="text/xml")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, POST, OPTIONS"
    assert b"caps" not in response.content


def test_get_head_post_and_options_are_answered(client):
    query = "SERVICE=TOY&REQUEST=GetCapabilities"
    assert client.get(f"/ows?{query}").content == b"caps 2.0.0"
    head = client.head(f"/ows?{query}")
    assert head.status_code == 200 and head.content == b""
    assert client.post("/ows", query, content_type="application/x-www-form-urlencoded").content == (
        b"caps 2.0.0")
    options = client.options(f"/ows?{query}")
    assert options.status_code == 200 and options["Allow"] == "GET, HEAD, POST, OPTIONS"
    assert options.content == b""


@pytest.mark.django_db  # the audit trail keeps requests that name no service
@pytest.mark.parametrize("url", [
    "/ows", "/ows?REQUEST=GetCapabilities", "/ows?SERVICE=&REQUEST=GetCapabilities",
    "/ows?REQUEST=Describe&typeNames=x",
])
def test_a_request_naming_no_service_is_missing_service(client, url):
    response = client.get(url)
    assert response.status_code == 400
    code, locator, text = exception(response)
    assert (code, locator) == ("MissingParameterValue", "service")
    assert "TOY" in text


@pytest.mark.django_db
def test_a_document_in_no_known_namespace_is_missing_service(client):
    response = client.post("/ows", b'<GetCapabilities xmlns="urn:elsewhere"/>', content_type="text/xml")
    assert exception(response)[:2] == ("MissingParameterValue", "service")


def test_an_unknown_service_is_an_invalid_value(client):
    response = client.get("/ows?SERVICE=NOPE&REQUEST=GetCapabilities")
    assert response.status_code == 400
    code, locator, text = exception(response)
    assert (code, locator) == ("InvalidParameterValue", "service")
    assert "'NOPE'" in text and "TOY" in text
