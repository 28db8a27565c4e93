"""MapServer 8 on the same PostGIS tables and COG files, for benchmarks to compare against.

    from bench.peers import mapserver
    path = mapserver.write_mapfile(layers, "/tmp/peer.map", port=8290)
    with mapserver.serve(path, port=8290) as peer:
        ...  # peer.url + "/?SERVICE=WMS&REQUEST=GetMap&..."

The mapfile enables WMS, WFS and WCS on every layer given. Vector layers read the layer's
table through the postgis driver; rasters read the stored COG. Styles default to plain
symbols per geometry type; pass ``classes={"roads": "CLASS ... END"}`` to match a
geoshare style for a fair map comparison.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from bench.common import WORKERS, served

__all__ = ["write_mapfile", "serve", "MAPSERVER_PYTHON", "peer_available"]

MAPSERVER_PYTHON = "/usr/bin/python3"
GUNICORN = "/usr/bin/gunicorn"
_HERE = Path(__file__).resolve().parent
_CJK_FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"

_DEFAULT_CLASSES = {
    "POINT": 'CLASS STYLE SYMBOL "circle" SIZE 8 COLOR 228 87 46 OUTLINECOLOR 255 255 255 END END',
    "LINE": "CLASS STYLE COLOR 59 110 165 WIDTH 1.5 END END",
    "POLYGON": (
        "CLASS STYLE COLOR 158 202 225 OPACITY 60 END "
        "STYLE OUTLINECOLOR 49 130 189 WIDTH 0.8 END END"
    ),
}
_TYPES = {
    "Point": "POINT", "MultiPoint": "POINT", "MultiLineString": "LINE", "MultiPolygon": "POLYGON",
}
_GDAL_TYPES = {"uint8": "BYTE", "int16": "INT16", "uint16": "INT16", "float32": "FLOAT32",
               "float64": "FLOAT32", "int32": "FLOAT32"}


def peer_available() -> bool:
    return Path(GUNICORN).exists() and Path("/usr/lib/python3/dist-packages/mapscript").exists()


def write_mapfile(layers, path: str | Path, port: int, classes: dict[str, str] | None = None) -> Path:
    """A mapfile serving ``layers`` (Layer objects) through WMS, WFS and WCS."""
    classes = classes or {}
    extents = [layer.extent.extent for layer in layers if layer.extent]
    west = min(e[0] for e in extents)
    south = min(e[1] for e in extents)
    east = max(e[2] for e in extents)
    north = max(e[3] for e in extents)
    path = Path(path)
    fontset = path.with_suffix(".fonts")
    fontset.write_text(f"wqy {_CJK_FONT}\n")
    parts = [f"""MAP
  NAME "geoshare_peer"
  EXTENT {west} {south} {east} {north}
  SIZE 256 256
  UNITS DD
  FONTSET "{fontset}"
  PROJECTION "init=epsg:4490" END
  CONFIG "MS_ERRORFILE" "stderr"
  SYMBOL NAME "circle" TYPE ELLIPSE FILLED TRUE POINTS 1 1 END END
  OUTPUTFORMAT NAME "png" DRIVER "AGG/PNG" MIMETYPE "image/png" IMAGEMODE RGBA
    EXTENSION "png" TRANSPARENT ON FORMATOPTION "COMPRESSION=1" END
  OUTPUTFORMAT NAME "jpeg" DRIVER "AGG/JPEG" MIMETYPE "image/jpeg" IMAGEMODE RGB
    EXTENSION "jpg" END
  OUTPUTFORMAT NAME "geojson" DRIVER "OGR/GEOJSON" MIMETYPE "application/json; subtype=geojson"
    FORMATOPTION "STORAGE=stream" FORMATOPTION "FORM=SIMPLE" END
  OUTPUTFORMAT NAME "GEOTIFF" DRIVER "GDAL/GTiff" MIMETYPE "image/tiff" IMAGEMODE FLOAT32
    EXTENSION "tif" FORMATOPTION "COMPRESS=DEFLATE" END
  OUTPUTFORMAT NAME "GEOTIFF_RGB" DRIVER "GDAL/GTiff" MIMETYPE "image/tiff" IMAGEMODE RGB
    EXTENSION "tif" FORMATOPTION "COMPRESS=DEFLATE" END
  WEB
    METADATA
      "ows_title" "MapServer peer"
      "ows_onlineresource" "http://127.0.0.1:{port}/?"
      "ows_srs" "EPSG:4490 EPSG:4549 EPSG:4326 EPSG:3857"
      "ows_enable_request" "*"
      "wms_feature_info_mime_type" "text/html"
      "wfs_getfeature_formatlist" "geojson"
      "wcs_label" "MapServer peer"
    END
  END
"""]
    for layer in layers:
        parts.append(_raster(layer) if not layer.is_vector else _vector(layer, classes.get(layer.name)))
    parts.append("END\n")
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def serve(mapfile: str | Path, port: int, workers: int | None = None):
    """MapServer's WSGI app under Debian's gunicorn on 127.0.0.1:port (a context manager)."""
    workers = workers or WORKERS
    return served(
        [MAPSERVER_PYTHON, GUNICORN, "--chdir", str(_HERE), "mapserver_wsgi:app",
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning",
         "--timeout", "300"],
        port, "/?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0",
        cwd=_HERE, env={"MAPSERVER_MAPFILE": str(mapfile), "PYTHONPATH": ""},
    )


def _connection() -> str:
    db = settings.DATABASES["default"]
    return (
        f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} dbname={db['NAME']} "
        f"user={db['USER']} password={db['PASSWORD']}"
    )


def _vector(layer, cls: str | None) -> str:
    kind = _TYPES.get(layer.geometry_type, "POLYGON")
    minx, miny, maxx, maxy = _padded(layer.native_bbox)
    return f"""  LAYER
    NAME "{layer.name}"
    TYPE {kind}
    STATUS ON
    CONNECTIONTYPE POSTGIS
    CONNECTION "{_connection()}"
    PROCESSING "CLOSE_CONNECTION=DEFER"
    DATA "geom FROM geodata.{layer.table_name} USING UNIQUE fid USING SRID={layer.srid}"
    PROJECTION "init=epsg:{layer.srid}" END
    EXTENT {minx} {miny} {maxx} {maxy}
    TEMPLATE "ttt"
    METADATA
      "ows_title" "{layer.name}"
      "ows_extent" "{minx} {miny} {maxx} {maxy}"
      "gml_include_items" "all"
      "gml_featureid" "fid"
      "gml_types" "auto"
      "wfs_use_default_extent_for_getfeature" "false"
    END
    {cls or _DEFAULT_CLASSES[kind]}
  END
"""


def _padded(bbox) -> tuple[float, float, float, float]:
    # MapServer rejects an empty extent, as one row of points along a parallel has.
    minx, miny, maxx, maxy = bbox
    pad = 1e-6 * max(1.0, abs(maxx), abs(maxy))
    return minx - pad, miny - pad, maxx + pad, maxy + pad


def _raster(layer) -> str:
    info = layer.raster_info
    minx, miny, maxx, maxy = layer.native_bbox
    res_x, res_y = info["resolution"]
    fmt = "GEOTIFF_RGB" if info["count"] >= 3 and info["dtypes"][0] == "uint8" else "GEOTIFF"
    nodata = f'PROCESSING "NODATA={info["nodata"]}"' if info["nodata"] is not None else ""
    return f"""  LAYER
    NAME "{layer.name}"
    TYPE RASTER
    STATUS ON
    DATA "{settings.RASTER_DIR / layer.raster_file}"
    PROJECTION "init=epsg:{layer.srid}" END
    EXTENT {minx} {miny} {maxx} {maxy}
    {nodata}
    METADATA
      "ows_title" "{layer.name}"
      "ows_extent" "{minx} {miny} {maxx} {maxy}"
      "wcs_label" "{layer.name}"
      "wcs_resolution" "{res_x} {res_y}"
      "wcs_size" "{info['width']} {info['height']}"
      "wcs_bandcount" "{info['count']}"
      "wcs_formats" "{fmt}"
      "wcs_nativeformat" "GTiff"
      "wcs_imagemode" "{_GDAL_TYPES.get(info['dtypes'][0], 'FLOAT32')}"
    END
  END
"""
