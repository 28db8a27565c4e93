"""The conformance classes /ogcapi/ declares: only those tests/services/ogcapi exercise."""

__all__ = ["CONFORMANCE"]

_FEATURES = "http://www.opengis.net/spec/ogcapi-features"
_COVERAGES = "http://www.opengis.net/spec/ogcapi-coverages-1/1.0/conf"
_TILES = "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf"
_RECORDS = "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf"
_COMMON = "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf"

CONFORMANCE = [
    f"{_COMMON}/core", f"{_COMMON}/landing-page", f"{_COMMON}/json", f"{_COMMON}/html",
    f"{_COMMON}/oas30",
    "http://www.opengis.net/spec/ogcapi-common-2/1.0/conf/collections",
    f"{_FEATURES}-1/1.0/conf/core", f"{_FEATURES}-1/1.0/conf/oas30",
    f"{_FEATURES}-1/1.0/conf/html", f"{_FEATURES}-1/1.0/conf/geojson",
    f"{_FEATURES}-2/1.0/conf/crs",
    f"{_FEATURES}-3/1.0/conf/queryables", f"{_FEATURES}-3/1.0/conf/filter",
    f"{_FEATURES}-3/1.0/conf/features-filter",
    f"{_FEATURES}-4/1.0/conf/create-replace-delete",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/case-insensitive-comparison",
    f"{_COVERAGES}/core", f"{_COVERAGES}/geodata-coverage", f"{_COVERAGES}/coverage-subset",
    f"{_COVERAGES}/coverage-bbox", f"{_COVERAGES}/coverage-rangesubset",
    f"{_COVERAGES}/coverage-scaling", f"{_COVERAGES}/geotiff", f"{_COVERAGES}/coveragejson",
    f"{_TILES}/core", f"{_TILES}/tileset", f"{_TILES}/tilesets-list",
    f"{_TILES}/geodata-tilesets", f"{_TILES}/mvt",
    "http://www.opengis.net/spec/tms/2.0/conf/json-tilematrixset",
    f"{_RECORDS}/core", f"{_RECORDS}/json", f"{_RECORDS}/html",
]
