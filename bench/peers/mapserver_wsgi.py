"""MapServer 8 as a persistent WSGI process: mapscript's OWS dispatch, one map per request.

Runs under Debian's /usr/bin/python3 and gunicorn (python3-mapscript is built for it), not in
geoshare's virtualenv. The mapfile comes from MAPSERVER_MAPFILE.
"""

import os

import mapscript

_TEMPLATE = mapscript.mapObj(os.environ["MAPSERVER_MAPFILE"])


def app(environ, start_response):
    request = mapscript.OWSRequest()
    if environ["REQUEST_METHOD"] == "POST":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        request.loadParamsFromPost(environ["wsgi.input"].read(length), environ.get("CONTENT_TYPE", ""))
    else:
        request.loadParamsFromURL(environ.get("QUERY_STRING", ""))
    # OWSDispatch changes the map it runs on (size, extent, layer status): work on a copy.
    map_ = _TEMPLATE.clone()
    mapscript.msIO_installStdoutToBuffer()
    try:
        map_.OWSDispatch(request)
        content_type = mapscript.msIO_stripStdoutBufferContentType() or "text/plain"
        body = mapscript.msIO_getStdoutBufferBytes()
    finally:
        mapscript.msIO_resetHandlers()
    start_response("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]
