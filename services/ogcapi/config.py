"""pygeoapi's configuration, built from the layer catalog and cached by catalog version.

The full catalog's configuration is built once per catalog version (max(modified), count:
one cheap query) and each request gets a copy filtered to the layers its principal may see
(``policy.visible_layers``), so a layer published, edited, restyled or hidden is live at the
next request in every process without a restart. The OpenAPI document is built only for
/openapi and cached per version, view and the layers the caller may edit.
"""

from __future__ import annotations

import hashlib
import threading
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.db.models import Count, Max

from geoshare.access import policy
from geoshare.geo import CRS84, OFFERED_SRIDS, Crs
from layers.models import Layer

__all__ = ["CATALOG_ID", "catalog_version", "config_for", "openapi_for", "crs_uri", "base_url"]

CATALOG_ID = "catalog"
_HERE = Path(__file__).resolve().parent
TEMPLATES_DIR = _HERE / "jinja"
_PROVIDERS = "services.ogcapi.providers"
_lock = threading.Lock()
_full: dict = {}  # version -> full config (one entry: the newest)


def crs_uri(srid: int) -> str:
    return Crs(srid, "").uri


def catalog_version() -> tuple:
    """Changes whenever a layer is added, removed, edited, restyled, published or hidden."""
    row = Layer.objects.aggregate(modified=Max("modified"), count=Count("id"))
    return (row["modified"].isoformat() if row["modified"] else "", row["count"])


def base_url(request) -> str:
    root = settings.GEOSHARE_PUBLIC_URL or request.build_absolute_uri("/").rstrip("/")
    return f"{root}/ogcapi"


def config_for(request, principal: policy.Principal) -> dict:
    """The configuration pygeoapi gets for this request: only what the principal may see."""
    version = catalog_version()
    full = _full_config(version)
    visible = set(policy.visible_layers(principal).values_list("name", flat=True))
    resources = {
        name: {**resource, "links": _map_links(request, name, resource)}
        for name, resource in full["resources"].items() if name in visible
    }
    resources[CATALOG_ID] = full["resources"][CATALOG_ID]
    server = {**full["server"], "url": base_url(request)}
    return {**full, "server": server, "resources": resources, "_view": _view_key(version, visible)}


def _map_links(request, name: str, resource: dict) -> list[dict]:
    """Links to the collection's map and map tiles (OGC API - Maps, served by services.maps)."""
    from services.maps import map_links

    layer = SimpleNamespace(name=name, title=resource["title"]["zh-Hans"])
    return map_links(request, layer)


def openapi_for(config: dict, principal: policy.Principal) -> dict:
    """The OpenAPI document of this configuration, with Part 4's create, replace and delete
    on the layers the principal may edit; cached by catalog version, view and those layers."""
    editable = frozenset() if principal.is_anonymous else frozenset(
        policy.visible_layers(principal, policy.Action.EDIT).filter(storage="vector")
        .values_list("name", flat=True))
    return _openapi(config["_view"], config["server"]["url"], editable, _Frozen(config))


class _Frozen:
    """Carries a config into lru_cache without taking part in the key."""

    def __init__(self, config):
        self.config = config

    def __hash__(self):
        return 0

    def __eq__(self, other):
        return isinstance(other, _Frozen)


@lru_cache(maxsize=64)
def _openapi(view: str, url: str, editable: frozenset[str], frozen: _Frozen) -> dict:
    from pygeoapi.openapi import get_oas

    config = frozen.config
    resources = {name: _editable(resource) if name in editable else resource
                 for name, resource in config["resources"].items()}
    return get_oas({**config, "resources": resources}, fail_on_invalid_collection=False)


def _editable(resource: dict) -> dict:
    """The resource with its feature provider marked editable, as pygeoapi's OpenAPI reads it."""
    providers = [{**p, "editable": True} if p["type"] == "feature" else p for p in resource["providers"]]
    return {**resource, "providers": providers}


def _view_key(version: tuple, visible: set[str]) -> str:
    digest = hashlib.sha1("\n".join(sorted(visible)).encode()).hexdigest()[:16]
    return f"{version[0]}|{version[1]}|{digest}"


def _full_config(version: tuple) -> dict:
    config = _full.get(version)
    if config is None:
        with _lock:
            config = _full.get(version)
            if config is None:
                config = _build(version)
                _full.clear()
                _full[version] = config
    return config


def _build(version: tuple) -> dict:
    layers = Layer.objects.filter(published=True).select_related("department").order_by("kind", "name")
    resources = {layer.name: _resource(layer) for layer in layers}
    resources[CATALOG_ID] = _catalog_resource()
    return {
        "server": {
            "bind": {"host": "127.0.0.1", "port": 0},
            "url": "",
            "mimetype": "application/json; charset=UTF-8",
            "encoding": "utf-8",
            # The first language is the default (pygeoapi's rule); lang= and Accept-Language choose.
            "languages": ["zh-Hans", "en-US"],
            "pretty_print": False,
            "limits": {"default_items": 10, "max_items": 1_000_000, "on_exceed": "error"},
            "templates": {"path": str(TEMPLATES_DIR)},
            "map": {"url": "", "attribution": ""},
        },
        "logging": {"level": "ERROR"},
        "metadata": _metadata(),
        "resources": resources,
    }


def _metadata() -> dict:
    return {
        "identification": {
            "title": {"zh-Hans": "geoshare 城市地理信息共享 OGC API", "en-US": "geoshare city geospatial OGC API"},
            "description": {
                "zh-Hans": "城市图层目录的 OGC API：要素、覆盖、矢量瓦片与元数据记录",
                "en-US": "OGC API over the city's layer catalog: features, coverages, vector tiles and records",
            },
            "keywords": {"zh-Hans": ["地理信息", "共享", "CGCS2000"], "en-US": ["geospatial", "sharing", "CGCS2000"]},
            "keywords_type": "theme",
            "terms_of_service": "",
            "url": "",
        },
        "license": {"name": "", "url": ""},
        "provider": {"name": "geoshare", "url": ""},
        "contact": {"name": "", "position": "", "address": "", "city": "", "stateorprovince": "",
                    "postalcode": "", "country": "CN", "phone": "", "fax": "", "email": "",
                    "url": "", "hours": "", "instructions": "", "role": "pointOfContact"},
    }


def _bbox(layer: Layer) -> list[float]:
    if layer.extent is None:
        return [-180.0, -90.0, 180.0, 90.0]
    # CGCS2000 and WGS 84 differ by centimetres: the 4490 extent serves as the CRS84 one.
    return [round(v, 7) for v in layer.extent.extent]


def _text(zh: str, en: str) -> dict:
    return {"zh-Hans": zh, "en-US": en or zh}


def _resource(layer: Layer) -> dict:
    resource = {
        "type": "collection",
        "title": _text(layer.title, layer.title_en),
        "description": _text(layer.abstract or layer.title, layer.abstract or layer.title_en),
        "keywords": list(layer.keywords) or [layer.get_kind_display()],
        "links": [],
        "extents": {"spatial": {"bbox": _bbox(layer), "crs": crs_uri(CRS84)}},
    }
    if layer.is_vector:
        crs = [crs_uri(CRS84)] + [crs_uri(s) for s in OFFERED_SRIDS if s != CRS84]
        resource["providers"] = [
            {
                "type": "feature", "name": f"{_PROVIDERS}.FeatureProvider", "data": layer.name,
                "id_field": "fid", "crs": crs, "storage_crs": crs_uri(layer.srid),
                "title_field": _title_field(layer),
            },
            {
                "type": "tile", "name": f"{_PROVIDERS}.TileProvider", "data": layer.name,
                "format": {"name": "mvt", "mimetype": "application/vnd.mapbox-vector-tile"},
                "options": {"zoom": {"min": 0, "max": 22}},
            },
        ]
    else:
        resource["providers"] = [{
            "type": "coverage", "name": f"{_PROVIDERS}.CoverageProvider", "data": layer.name,
            "format": {"name": "GTiff", "mimetype": "image/tiff; application=geotiff"},
        }]
    return resource


def _title_field(layer: Layer) -> str | None:
    for candidate in ("name", "名称", "title", "mc"):
        if candidate in layer.field_names:
            return candidate
    return None


def _catalog_resource() -> dict:
    return {
        "type": "collection",
        "title": {"zh-Hans": "图层目录", "en-US": "Layer catalog"},
        "description": {
            "zh-Hans": "本平台发布的图层及其元数据，可按关键词、范围、时间、类别和部门检索",
            "en-US": "The layers this platform publishes, with their metadata: search by text, "
                  "area, date, kind and department",
        },
        "keywords": ["catalog", "目录"],
        "links": [],
        "extents": {"spatial": {"bbox": [-180.0, -90.0, 180.0, 90.0], "crs": crs_uri(CRS84)}},
        "providers": [{
            "type": "record", "name": f"{_PROVIDERS}.RecordsProvider", "data": CATALOG_ID,
            "id_field": "id", "time_field": "updated", "title_field": "title",
        }],
    }
