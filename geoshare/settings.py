"""geoshare settings, read from the environment (twelve-factor) with safe local defaults.

Every setting a deployment may change is a ``GEOSHARE_*`` variable, listed in README.md.
With ``GEOSHARE_ENV=production`` the variables that have no safe default must be set.
"""

import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
ENV = os.environ.get("GEOSHARE_ENV", "local")
if ENV not in ("local", "production"):
    raise ImproperlyConfigured(f"GEOSHARE_ENV must be 'local' or 'production', got {ENV!r}")

_REQUIRED_IN_PRODUCTION = ("GEOSHARE_SECRET_KEY", "GEOSHARE_DATABASE_URL", "GEOSHARE_ALLOWED_HOSTS")
if ENV == "production":
    missing = [name for name in _REQUIRED_IN_PRODUCTION if not os.environ.get(name)]
    if missing:
        raise ImproperlyConfigured(
            f"GEOSHARE_ENV=production needs these environment variables: {', '.join(missing)}"
        )


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {raw!r}")


def _int(name: str, default: int, minimum: int = 1) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def _path(name: str, default: Path) -> Path:
    return Path(os.environ.get(name) or default).resolve()


# Every PostgreSQL session this process opens (Django's, Mapnik's, GDAL's: all libpq) runs
# without JIT compilation and parallel workers. A vector tile or a dense map is one costly
# statement of some milliseconds: JIT spent 50 ms compiling it and parallel workers take
# the cores other requests need (a z14 tile of 6,000 points: median 84 ms -> 47 ms, p95
# 600 ms -> 170 ms). PGOPTIONS set outside wins.
os.environ.setdefault("PGOPTIONS", "-c jit=off -c max_parallel_workers_per_gather=0")


def _database(url: str) -> dict:
    parts = urlsplit(url)
    if parts.scheme not in ("postgis", "postgres", "postgresql") or not parts.path.strip("/"):
        raise ImproperlyConfigured(
            "GEOSHARE_DATABASE_URL must look like postgis://user:password@host:5432/name, "
            f"got {parts.scheme or '(no scheme)'}://…"
        )
    return {
        "ENGINE": "django.contrib.gis.db.backends.postgis",
        "NAME": unquote(parts.path.strip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": 60,
        # A check query before every request's first query: off by default because it
        # costs as much as a cached tile's policy query; after a database restart each
        # worker then fails one request before reconnecting.
        "CONN_HEALTH_CHECKS": _flag("GEOSHARE_DB_HEALTH_CHECKS", False),
        "OPTIONS": {"connect_timeout": 5},
    }


VAR_DIR = _path("GEOSHARE_VAR_DIR", BASE_DIR / "var")
DATA_DIR = _path("GEOSHARE_DATA_DIR", VAR_DIR / "data")
RASTER_DIR = DATA_DIR / "rasters"
UPLOAD_DIR = DATA_DIR / "uploads"
TILE_CACHE_DIR = _path("GEOSHARE_TILE_CACHE_DIR", VAR_DIR / "tiles")


def _secret_key() -> str:
    if key := os.environ.get("GEOSHARE_SECRET_KEY"):
        return key
    # Local installs keep one generated key on disk so sessions survive restarts and all
    # gunicorn workers agree; created with O_EXCL so concurrent first starts cannot disagree.
    key_file = VAR_DIR / "secret_key"
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _flag("GEOSHARE_DEBUG", False)
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("GEOSHARE_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
] + (["testserver"] if ENV == "local" else [])
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("GEOSHARE_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

DATABASES = {
    "default": _database(
        os.environ.get(
            "GEOSHARE_DATABASE_URL", "postgis://geoshare:geoshare@127.0.0.1:5432/geoshare"
        )
    )
}
# Import jobs report progress from inside their own long transaction; this second
# connection to the same database makes the progress visible to the admin meanwhile.
DATABASES["progress"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "procrastinate.contrib.django",
    "geoshare",
    "geoshare.access",
    "layers",
    "services.geocoding",
    "fixtures",
    "services.ogcapi",
    "services.wfs",
    "services.wcs",
    "services.render",
    "services.wms",
    "services.wmts",
    "services.maps",
    "geoshare.webmap",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "geoshare.middleware.RefuseNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "geoshare.access.audit.AuditMiddleware",
    "geoshare.access.authentication.CredentialsMiddleware",
    "geoshare.access.ratelimit.RateLimitMiddleware",
    "geoshare.access.middleware.PrincipalMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "geoshare.urls"
WSGI_APPLICATION = "geoshare.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

AUTHENTICATION_BACKENDS = ["geoshare.access.authentication.ThrottledModelBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("GEOSHARE_LANGUAGE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("GEOSHARE_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = _path("GEOSHARE_STATIC_ROOT", VAR_DIR / "static")
STATICFILES_DIRS = [p for p in [BASE_DIR / "web" / "dist"] if p.is_dir()]
# gunicorn serves the static files itself (WhiteNoise), gzipped at collectstatic time; the
# web map's hashed bundle files (name-HASH8.js) never change, so browsers keep them.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_IMMUTABLE_FILE_TEST = r"^.+/webmap/assets/.+-[0-9A-Za-z_-]{8}\.(js|css)$"

FILE_UPLOAD_TEMP_DIR = None
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "geoshare.access.drf.CredentialsAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PARSER_CLASSES": [
        "geoshare.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "geoshare API",
    "DESCRIPTION": "Catalog and geocoding API of the geoshare city geospatial sharing platform.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

# GDAL < 3.9 cannot block file and network access from spatial references. geoshare parses
# every CRS from a request with pyproj against the EPSG codes it offers, never with GDAL.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GEOSHARE_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "procrastinate": {"level": "WARNING"},
    },
}

# --- geoshare ---------------------------------------------------------------------------
_TIERS = ("public", "egov", "internal")
GEOSHARE_MAX_TIER = os.environ.get("GEOSHARE_MAX_TIER", "internal")
if GEOSHARE_MAX_TIER not in _TIERS:
    raise ImproperlyConfigured(
        f"GEOSHARE_MAX_TIER must be one of {', '.join(_TIERS)}, got {GEOSHARE_MAX_TIER!r}"
    )
GEOSHARE_PUBLIC_URL = os.environ.get("GEOSHARE_PUBLIC_URL", "").rstrip("/")
# The web map's base maps: id=layer-or-group[:style][!], ! = clicks identify on it.
GEOSHARE_MAP_BASEMAPS = os.environ.get(
    "GEOSHARE_MAP_BASEMAPS", "emap=emap!,imagery=emap_imagery,terrain=terrain"
)
GEOSHARE_IMPORT_BATCH_SIZE = _int("GEOSHARE_IMPORT_BATCH_SIZE", 20_000)
GEOSHARE_IMPORT_MAX_UPLOAD_MB = _int("GEOSHARE_IMPORT_MAX_UPLOAD_MB", 2048)
GEOSHARE_IMPORT_STEP_TIMEOUT = _int("GEOSHARE_IMPORT_STEP_TIMEOUT", 3600)
# Largest answers the engines produce: WMS/WCS pixels per request, features per page.
GEOSHARE_MAX_COVERAGE_PIXELS = _int("GEOSHARE_MAX_COVERAGE_PIXELS", 8192 * 8192)
GEOSHARE_MAX_FEATURES_PER_PAGE = _int("GEOSHARE_MAX_FEATURES_PER_PAGE", 10_000)
# WFS GetFeature streams, so one answer may be far larger than an OGC API page.
GEOSHARE_WFS_MAX_FEATURES = _int("GEOSHARE_WFS_MAX_FEATURES", 1_000_000)
# Queries (wfs:Query elements, typeNames) one WFS request may hold, each a query of its own.
# GDAL asks DescribeFeatureType for at most 50 types at once; QGIS for one.
GEOSHARE_WFS_MAX_QUERIES = _int("GEOSHARE_WFS_MAX_QUERIES", 100)
# Batch geocoding jobs: most rows per file, largest upload, and the time one job may take.
GEOSHARE_GEOCODING_BATCH_MAX_ROWS = _int("GEOSHARE_GEOCODING_BATCH_MAX_ROWS", 1_000_000)
GEOSHARE_GEOCODING_BATCH_MAX_UPLOAD_MB = _int("GEOSHARE_GEOCODING_BATCH_MAX_UPLOAD_MB", 200)
GEOSHARE_GEOCODING_BATCH_TIMEOUT = _int("GEOSHARE_GEOCODING_BATCH_TIMEOUT", 4 * 3600)

# Access: failed-login throttling, anonymous rate limits (requests per second per address
# and service; empty to turn off), audit retention, and whether a proxy's
# X-Forwarded-For names the client.
GEOSHARE_LOGIN_FAILURE_LIMIT = _int("GEOSHARE_LOGIN_FAILURE_LIMIT", 5)
GEOSHARE_LOGIN_FAILURE_WINDOW = _int("GEOSHARE_LOGIN_FAILURE_WINDOW", 15 * 60)
GEOSHARE_TRUST_X_FORWARDED_FOR = _flag("GEOSHARE_TRUST_X_FORWARDED_FOR", False)
GEOSHARE_AUDIT_RETENTION_DAYS = _int("GEOSHARE_AUDIT_RETENTION_DAYS", 5 * 365 + 1)
# Keep the policy's decisions for anonymous callers until the catalog changes (needs
# connections that can LISTEN: off behind PgBouncer in transaction pooling).
GEOSHARE_REUSE_PUBLIC_DECISIONS = _flag("GEOSHARE_REUSE_PUBLIC_DECISIONS", True)


def _rate_limits(text: str) -> dict[str, int]:
    """'wms=50,wfs=10' -> {'WMS': 50, 'WFS': 10} requests per second per address."""
    try:
        limits = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            service, _, value = part.partition("=")
            limits[service.strip().upper()] = int(value)
        return limits
    except ValueError:
        raise ImproperlyConfigured(
            f"GEOSHARE_RATE_LIMITS must look like 'wms=50,wfs=20', got {text!r}"
        ) from None


GEOSHARE_RATE_LIMITS = _rate_limits(os.environ.get(
    "GEOSHARE_RATE_LIMITS", "wms=100,wmts=500,wfs=50,wcs=50,ogcapi=200,geocoding=50"
))

# Maps (WMS, WMTS, OGC API - Maps): largest image, most features drawn per layer and request,
# and how many tiles (per side) one metatile renders at once, with how many pixels around it.
GEOSHARE_WMS_MAX_WIDTH = _int("GEOSHARE_WMS_MAX_WIDTH", 4096)
GEOSHARE_WMS_MAX_HEIGHT = _int("GEOSHARE_WMS_MAX_HEIGHT", 4096)
GEOSHARE_WMS_MAX_FEATURES = _int("GEOSHARE_WMS_MAX_FEATURES", 500_000)
# Names one GetMap (LAYERS) or GetFeatureInfo (QUERY_LAYERS) may list: GeoServer sets no
# limit and MapServer only the optional wms_layerlimit; each name is drawn or queried anew.
GEOSHARE_WMS_MAX_LAYERS = _int("GEOSHARE_WMS_MAX_LAYERS", 100)
GEOSHARE_TILE_METATILE = _int("GEOSHARE_TILE_METATILE", 4)
GEOSHARE_TILE_BUFFER = _int("GEOSHARE_TILE_BUFFER", 64, minimum=0)
