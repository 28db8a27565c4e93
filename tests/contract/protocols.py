"""Every protocol seen the same way by the access tests: which layers it lists, what it returns.

Each adapter answers for one caller (a Django test client with credentials set):
``names(caller)``: the layer names the protocol advertises; ``features(caller, layer)``:
(HTTP status, {fid: properties}) of everything it returns for a Layer, or (status, None).
"""

from __future__ import annotations

import json
import re

import mapbox_vector_tile
from lxml import etree

from services.tiles import tms as tms_registry

__all__ = ["PROTOCOLS", "Caller"]


class Caller:
    """A test client plus the credentials of one principal."""

    def __init__(self, client, headers: dict | None = None, params: dict | None = None):
        self.client, self.headers, self.params = client, headers or {}, params or {}

    def get(self, path: str, params: dict | None = None):
        response = self.client.get(path, {**(params or {}), **self.params}, **self.headers)
        if response.streaming:
            response.body = b"".join(response.streaming_content)
        else:
            response.body = response.content
        return response


def _xml_names(body: bytes, element: str) -> set[str]:
    root = etree.fromstring(body)
    return {e.text.split(":")[-1] for e in root.iter() if isinstance(e.tag, str)
            and etree.QName(e).localname == element and e.text}


class Wfs:
    name = "wfs"

    def names(self, caller) -> set[str]:
        response = caller.get("/ows", {"SERVICE": "WFS", "REQUEST": "GetCapabilities", "VERSION": "2.0.0"})
        return _xml_names(response.body, "Name")

    def features(self, caller, layer):
        response = caller.get("/ows", {
            "SERVICE": "WFS", "VERSION": "2.0.0", "REQUEST": "GetFeature", "TYPENAMES": layer.name,
            "OUTPUTFORMAT": "application/json",
        })
        if response.status_code != 200:
            return response.status_code, None
        features = json.loads(response.body)["features"]
        return 200, {int(str(f["id"]).split(".")[-1]): f["properties"] for f in features}


class Wms:
    name = "wms"

    def names(self, caller) -> set[str]:
        response = caller.get("/ows", {"SERVICE": "WMS", "REQUEST": "GetCapabilities", "VERSION": "1.3.0"})
        return _xml_names(response.body, "Name")

    def features(self, caller, layer):
        # GetFeatureInfo on a one-pixel map of the layer's extent: the pixel's tolerance
        # (a few pixels) covers the whole layer.
        west, south, east, north = layer.extent.extent
        response = caller.get("/ows", {
            "SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetFeatureInfo", "LAYERS": layer.name,
            "QUERY_LAYERS": layer.name, "STYLES": "", "CRS": "CRS:84",
            "BBOX": f"{west},{south},{east},{north}", "WIDTH": 1, "HEIGHT": 1, "I": 0, "J": 0,
            "INFO_FORMAT": "application/json", "FEATURE_COUNT": 10000,
        })
        if response.status_code != 200:
            return response.status_code, None
        features = json.loads(response.body)["features"]
        return 200, {int(f["id"].split(".")[-1]): f["properties"] for f in features}


class Wmts:
    name = "wmts"

    def names(self, caller) -> set[str]:
        return _xml_names(caller.get("/wmts/1.0.0/WMTSCapabilities.xml").body, "Identifier")


class OgcApiFeatures:
    name = "ogcapi"

    def names(self, caller) -> set[str]:
        response = caller.get("/ogcapi/collections", {"f": "json"})
        return {c["id"] for c in json.loads(response.body)["collections"]}

    def features(self, caller, layer):
        response = caller.get(f"/ogcapi/collections/{layer.name}/items", {"f": "json", "limit": 10000})
        if response.status_code != 200:
            return response.status_code, None
        features = json.loads(response.body)["features"]
        return 200, {int(f["id"]): f["properties"] for f in features}


class Records:
    name = "records"

    def names(self, caller) -> set[str]:
        response = caller.get("/ogcapi/collections/catalog/items", {"f": "json", "limit": 1000})
        return {r["id"] for r in json.loads(response.body)["features"]}


class Catalog:
    name = "catalog"

    def names(self, caller) -> set[str]:
        return {layer["name"] for layer in json.loads(caller.get("/api/catalog/layers/").body)}


class Landing:
    name = "landing"

    def names(self, caller) -> set[str]:
        return set(re.findall(r'data-layer="([a-z0-9_]+)"', caller.get("/").body.decode()))


class VectorTiles:
    """Every feature of a layer, through the tiles of one zoom level covering its extent."""

    name = "tiles"
    zoom = 11

    def features(self, caller, layer):
        tms = tms_registry.get("WebMercatorQuad")
        west, south, east, north = layer.extent.extent
        found, status = {}, 404
        for tile in tms.tiles(west, south, east, north, [self.zoom]):
            response = caller.get(
                f"/ogcapi/collections/{layer.name}/tiles/WebMercatorQuad/{tile.z}/{tile.y}/{tile.x}"
            )
            status = response.status_code
            if status == 204:
                continue
            if status != 200:
                return status, None
            for tile_layer in mapbox_vector_tile.decode(response.body).values():
                for feature in tile_layer["features"]:
                    found[int(feature["id"])] = feature["properties"]
        return (200 if status in (200, 204) else status), found


PROTOCOLS = {p.name: p for p in (Wfs(), Wms(), Wmts(), OgcApiFeatures(), Records(), Catalog(),
                                 Landing(), VectorTiles())}
LISTING = [name for name, p in PROTOCOLS.items() if hasattr(p, "names")]
FEATURES = [name for name, p in PROTOCOLS.items() if hasattr(p, "features")]
