"""Real clients against /ogcapi/: OWSLib's OGC API classes and GDAL's OAPIF driver."""

import json
import shutil
import subprocess
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.testcases import LiveServerThread, _StaticFilesHandler
from owslib.ogcapi.coverages import Coverages
from owslib.ogcapi.features import Features
from owslib.ogcapi.records import Records
from rasterio.io import MemoryFile

from tests.services.ogcapi import conftest as layers

# Marked so pytest-django creates the test database; the layers themselves are committed by
# the module fixture, for the server thread to see.
pytestmark = pytest.mark.django_db
gdal = pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="needs Debian gdal-bin")


@pytest.fixture(scope="module")
def served(django_db_setup, django_db_blocker):
    """The layers committed and a live server for them, for the whole module.

    Made once rather than per test (as pytest-django's live_server would): GDAL and OWSLib
    read many pages each. At the end the layers go, and so do the audit rows the server
    committed, which later tests would otherwise find.
    """
    with django_db_blocker.unblock():
        made = [layers.make_schools(), layers.make_secret(), layers.make_dem()]
        thread = LiveServerThread("127.0.0.1", _StaticFilesHandler)
        thread.daemon = True
        thread.start()
        thread.is_ready.wait()
        if thread.error:
            raise thread.error
        try:
            yield f"http://127.0.0.1:{thread.port}"
        finally:
            thread.terminate()
            for layer in made:
                layer.delete()
            with connection.cursor() as cur:
                cur.execute("TRUNCATE access_auditrecord")  # append-only: no row-by-row DELETE


def run(*command: str) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_owslib_reads_collections_and_items(served):
    api = Features(f"{served}/ogcapi")
    ids = [c["id"] for c in api.collections()["collections"]]
    assert "t_schools" in ids and "police_posts" not in ids
    items = api.collection_items("t_schools", limit=5, filter="pupils >= 2500")
    assert [f["properties"]["name"] for f in items["features"]] == [f"学校{i}" for i in range(25, 30)]
    assert api.collection_queryables("t_schools")["properties"]["pupils"]["type"] == "integer"


def test_owslib_reads_a_coverage(served):
    api = Coverages(f"{served}/ogcapi")
    assert "t_dem" in [c["id"] for c in api.collections()["collections"]]
    data = api.coverage("t_dem", subset={"E": (530100, 530200), "N": (3529700, 3529800)}, scale_factor=0.5)
    with MemoryFile(data.read()) as memory, memory.open() as src:
        assert (src.width, src.height, src.crs.to_epsg()) == (5, 5, 4549)


def test_owslib_searches_the_catalog(served):
    api = Records(f"{served}/ogcapi")
    found = api.collection_items("catalog", q="t_schools")
    assert [r["id"] for r in found["features"]] == ["t_schools"]


@gdal
def test_ogrinfo_reads_the_collection_with_a_filter_and_a_crs(served):
    url = f"OAPIF:{served}/ogcapi/collections/t_schools"
    summary = run("ogrinfo", "-ro", "-so", "-al", url)
    assert "Feature Count: 30" in summary and "pupils" in summary
    filtered = run("ogrinfo", "-ro", "-al", "-q", url, "-where", "pupils >= 2800")
    assert filtered.count("OGRFeature") == 2 and "学校29" in filtered
    # GDAL 3.6's OAPIF driver has no CRS option (3.7 adds one): read the crs= answer as GeoJSON.
    query = urlencode({"crs": "http://www.opengis.net/def/crs/EPSG/0/3857", "filter": "pupils = 0", "f": "json"})
    projected = run("ogrinfo", "-ro", "-al", "-q", f"{served}/ogcapi/collections/t_schools/items?{query}")
    assert "POINT (13413998.6" in projected and projected.count("OGRFeature") == 1  # mercator metres


@gdal
def test_ogrinfo_pages_through_every_feature(served):
    url = f"OAPIF:{served}/ogcapi/collections/t_schools"
    out = run("ogrinfo", "-ro", "-al", "-q", "-oo", "PAGE_SIZE=7", url)
    assert out.count("OGRFeature") == 30


@gdal
def test_gdal_reads_a_coverage(served, tmp_path):
    url = f"{served}/ogcapi/collections/t_dem/coverage?f=GTiff&subset=E(530100:530200),N(3529700:3529800)"
    info = json.loads(run("gdalinfo", "-json", f"/vsicurl/{url}"))
    assert info["size"] == [10, 10]
    target = tmp_path / "dem.tif"
    run("gdal_translate", "-q", f"/vsicurl/{url}", str(target))
    assert json.loads(run("gdalinfo", "-json", "-stats", str(target)))["bands"][0]["minimum"] == 20010
