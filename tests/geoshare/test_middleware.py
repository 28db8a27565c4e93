import base64

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", [
    "/api/catalog/layers/?q=a%00b",
    "/api/catalog/layers/a%00b/",
    "/ogcapi/collections/catalog/items/a%00b",
    "/wmts/1.0.0/a%00b/default/WebMercatorQuad/10/1/1.png",
    "/ows?SERVICE=WMS&REQUEST=GetMap&LAYERS=a%00b",
])
def test_a_nul_character_is_refused_with_400(client, url):
    response = client.get(url)
    assert response.status_code == 400 and b"NUL" in response.content


def test_basic_credentials_with_a_nul_are_wrong_credentials(client):
    header = "Basic " + base64.b64encode(b"a\x00b:pw").decode()
    response = client.get("/ows?SERVICE=WMS&REQUEST=GetCapabilities", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
