"""Map requests to images: Mapnik XML from layers, styles and grants, rendered and encoded.

Vector layers read the feature engine's grant-restricted subquery (row filter, hidden
fields and area limit apply to pixels as to features); raster layers read their COG, or a
copy masked to the grant's area limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from lxml import etree

from geoshare.geo import BBox, is_geographic
from layers.features import feature_source
from services.render import mapnik_, png, reproject
from services.render.formats import ImageFormat
from services.render.rastermask import masked_raster
from services.render.styles import fontset_xml, style_elements
from services.render.targets import MapLayer

__all__ = ["MapRequest", "render_image", "render_map", "map_xml"]

_CLIP_METRES_PER_PIXEL = 5.0  # finer than this (about 1:18,000), clip to the query box
_METRES_PER_DEGREE = 111_320.0
_SIMPLIFY_BYTES = 512


@dataclass(frozen=True)
class MapRequest:
    layers: tuple[MapLayer, ...]  # bottom first
    bbox: BBox  # x/y in the map's CRS, bbox.srid (an EPSG code)
    width: int
    height: int
    format: ImageFormat
    transparent: bool = False
    bgcolor: str = "#ffffff"
    scale_factor: float = 1.0  # print resolution: DPI / 90.7 (OGC's 0.28 mm pixel)
    buffer: int = 16  # pixels drawn around the image (labels, strokes of clipped polygons)

    @property
    def background(self) -> str | None:
        return None if self.transparent and self.format.alpha else self.bgcolor


def render_image(request: MapRequest):
    """The map as a Mapnik image (for callers that cut it into tiles)."""
    layers = tuple(request.layers)
    bbox = request.bbox
    pixel = min(bbox.width / request.width, bbox.height / request.height)
    margin = request.buffer * request.scale_factor * pixel
    queried = BBox(bbox.minx - margin, bbox.miny - margin, bbox.maxx + margin, bbox.maxy + margin,
                   bbox.srid)
    fits = reproject.fits({ml.layer.srid for ml in layers if ml.layer.is_vector}, queried, pixel)
    fitted = frozenset(fits)
    variables = {name: value for fit in fits.values() for name, value in fit.items()}
    key = (bbox.srid, fitted, tuple(ml.key for ml in layers))
    with mapnik_.checkout(key, lambda: map_xml(layers, bbox.srid, fitted)) as m:
        return mapnik_.render(
            m, bbox.as_tuple(), request.width, request.height,
            background=request.background, scale_factor=request.scale_factor,
            buffer=request.buffer, variables=variables,
        )


def render_map(request: MapRequest) -> bytes:
    """The map encoded in the request's format."""
    image = render_image(request)
    if request.format.own_png:  # a map on an opaque background has no use for alpha
        return png.encode(image, alpha=request.background is None)
    return mapnik_.encode(image, request.format.mapnik)


def map_xml(layers: Sequence[MapLayer], srid: int, fitted: frozenset[int] = frozenset()) -> str:
    """Mapnik XML drawing ``layers`` (bottom first) in EPSG:``srid``.

    Vector layers read their features in the map's CRS: moved by the render variables of
    ``reproject.fits`` if stored in a CRS of ``fitted``, else transformed by PostGIS.
    """
    root = etree.Element("Map", srs=f"epsg:{srid}")
    root.append(etree.fromstring(fontset_xml()))
    for n, map_layer in enumerate(layers):
        layer = map_layer.layer
        if not layer.is_vector:
            datasource = _raster_datasource(map_layer)
        elif layer.native_bbox:
            datasource = _vector_datasource(map_layer, srid, layer.srid in fitted)
        else:
            continue  # an empty table draws nothing
        srs = srid if layer.is_vector else layer.srid  # features come in the map's CRS
        element = etree.Element("Layer", name=f"{layer.name}", srs=f"epsg:{srs}")
        styles = style_elements(map_layer.style.body)
        if len(styles) > 1:
            element.set("cache-features", "true")  # one query for all the layer's styles
        for m, style in enumerate(styles):
            style.set("name", f"l{n}s{m}")
            root.append(style)
            etree.SubElement(element, "StyleName").text = f"l{n}s{m}"
        source = etree.SubElement(element, "Datasource")
        for name, value in datasource.items():
            etree.SubElement(source, "Parameter", name=name).text = str(value)
        root.append(element)
    return etree.tostring(root, encoding="unicode")


def _vector_datasource(map_layer: MapLayer, srid: int, fitted: bool) -> dict:
    """The layer's features in the map's CRS, EPSG:``srid`` (see ``reproject``)."""
    layer, grant = map_layer.layer, map_layer.grant
    source = feature_source(layer)
    # A style may label or classify by an attribute the grant hides: it reads empty.
    restricted = source.as_string(source.restricted_table(grant, hidden_as_null=True))
    clip_resolution = _CLIP_METRES_PER_PIXEL / (_METRES_PER_DEGREE if is_geographic(srid) else 1.0)
    if srid == layer.srid:
        extent, geometry, box = BBox(*layer.native_bbox, layer.srid), "geom", "!bbox!"
    else:
        extent = BBox(*layer.native_bbox, layer.srid).transformed(srid)
        geometry = reproject.geometry_sql(layer.srid, srid, clip_resolution, fitted)
        # The box kept inside the layer's extent: Mapnik's first look at the table asks
        # for the whole plane, which PROJ cannot transform.
        envelope = ", ".join(repr(float(v)) for v in extent.as_tuple())
        box = f"ST_Transform(ST_ClipByBox2D(!bbox!, ST_MakeEnvelope({envelope}, {srid})), {layer.srid})"
    # The box lets PostgreSQL use the spatial index below the LIMIT that caps one layer's
    # features per request (GEOSHARE_WMS_MAX_FEATURES). Geometries are reprojected and
    # simplified outside that subquery: the costs PostGIS declares for them would
    # otherwise steer the planner off the index.
    capped = (f"(SELECT * FROM {restricted} AS r WHERE geom && {box} "
              f"LIMIT {int(settings.GEOSHARE_WMS_MAX_FEATURES)})")
    return {
        "type": "postgis",
        **_connection(),
        "table": f"(SELECT {_simplified(geometry)} AS map_geom, * FROM {capped} AS r) AS q",
        "geometry_field": "map_geom",
        "key_field": "fid",
        "srid": extent.srid,
        "extent": ",".join(repr(float(v)) for v in extent.as_tuple()),
        "estimate_extent": "false",
        # Zoomed in past the clip resolution, PostGIS clips big polygons (the Yangtze, a
        # town) to the queried box.
        "simplify_clip_resolution": repr(clip_resolution),
    }


def _simplified(geometry: str) -> str:
    # Simplified to a twentieth of a pixel, as Mapnik's simplify_geometries would (a third
    # less time at city scale), but only geometries of more than about 30 vertices: for a
    # 5-vertex footprint simplifying doubled the query and removed nothing.
    return (f"CASE WHEN ST_MemSize(geom) > {_SIMPLIFY_BYTES} THEN ST_Simplify(ST_SnapToGrid("
            f"{geometry}, !pixel_width! / 40), !pixel_width! / 20) ELSE {geometry} END")


def _raster_datasource(map_layer: MapLayer) -> dict:
    layer, grant = map_layer.layer, map_layer.grant
    path = layer.raster_path if grant.area_limit is None else masked_raster(layer, grant.area_limit)
    params = {"type": "gdal", "file": str(path)}
    info = layer.raster_info or {}
    # One band of data (a DEM) is read as values for a RasterColorizer; one band of bytes
    # without a colorizer is drawn as grey.
    if info.get("count") == 1 and (
        "RasterColorizer" in map_layer.style.body or (info.get("dtypes") or ["uint8"])[0] != "uint8"
    ):
        params["band"] = 1
    return params


def _connection() -> dict:
    db = settings.DATABASES["default"]
    params = {"dbname": db["NAME"], "user": db["USER"], "password": db["PASSWORD"]}
    if db.get("HOST"):
        params["host"] = db["HOST"]
    if db.get("PORT"):
        params["port"] = db["PORT"]
    params["connect_timeout"] = 5
    # Mapnik's Python bindings hold the GIL while rendering, so a process renders one map
    # at a time: a few pooled connections per process are plenty.
    params["max_size"] = 4
    return params
