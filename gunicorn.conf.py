"""gunicorn settings for ./platform up, the container image and bench/ (one place).

Mapnik's Python bindings hold the GIL while they draw, so a process draws one map at a
time. With sync workers (the default) each process takes one connection at a time and the
kernel hands the next to an idle one, as MapServer's workers do; threaded workers would
queue connections behind a long render in a busy process. Sync workers expect a buffering
proxy in front of them for slow clients (docker/nginx.conf).
"""

import os

bind = os.environ.get("GEOSHARE_BIND") or "127.0.0.1:8000"
workers = int(os.environ.get("GEOSHARE_WORKERS") or (os.cpu_count() or 2) * 2 + 1)
threads = int(os.environ.get("GEOSHARE_THREADS") or 1)
worker_class = "gthread" if threads > 1 else "sync"
# A sync worker is restarted after this many seconds on one request; whole-layer downloads
# stream for minutes.
timeout = int(os.environ.get("GEOSHARE_TIMEOUT") or 300)
accesslog = os.environ.get("GEOSHARE_ACCESS_LOG", "-") or None
# The path without the query string (nor a referrer carrying one): a token= parameter must
# not reach the log.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s"'
