import json


def test_smoke(client, schools, secret, dem):
    for url in ["/ogcapi/", "/ogcapi/conformance", "/ogcapi/collections", "/ogcapi/collections/schools",
                "/ogcapi/collections/schools/items?limit=3", "/ogcapi/collections/schools/items/2",
                "/ogcapi/collections/schools/queryables", "/ogcapi/collections/catalog/items",
                "/ogcapi/collections/dem", "/ogcapi/collections/dem/coverage?f=json&scale-factor=0.1",
                "/ogcapi/collections/schools/tiles/WebMercatorQuad/0/0/0",
                "/ogcapi/collections/schools/items?f=html", "/ogcapi/?f=html", "/ogcapi/collections?f=html",
                "/ogcapi/openapi"]:
        r = client.get(url)
        body = b"".join(r.streaming_content) if r.streaming else r.content
        print(url, r.status_code, r.get("Content-Type"), body[:600])
