"""layers.importers, the import_layer command and import jobs, on files made in each test."""

import io
import sqlite3
import zipfile
from pathlib import Path

import numpy as np
import pyogrio.raw
import pytest
import rasterio
import shapely
from affine import Affine
from django.core.management import CommandError, call_command
from django.db import connection

from geoshare.access.models import Department, Tier
from geoshare.errors import ImportFailedError
from layers import storage
from layers.importers import ImportRequest, import_file
from layers.jobs import run_import_job, submit_import
from layers.models import ImportJob, JobStatus, Layer

NAMES = ["杨舍镇人民中路", "梁丰花园", "暨阳湖"]  # GBK-encodable, like most Chinese data
PARCELS_XY = [shapely.box(551000 + 100 * i, 3527000, 551080 + 100 * i, 3527080) for i in range(3)]


@pytest.fixture
def department(db):
    return Department.objects.get(code="zrzy")


def request_for(path, department, name="imported", **options):
    return ImportRequest(path=Path(path), name=name, title="测试图层", kind="thematic",
                         tier=int(Tier.EGOV), department_id=department.pk, **options)


def rows(name, columns="name"):
    with connection.cursor() as cur:
        cur.execute(f'SELECT {columns} FROM geodata."{name}" ORDER BY fid')
        return cur.fetchall()


def write_vector(path, geometries, names, driver, srid=4549, encoding=None, **kw):
    pyogrio.raw.write(
        path, shapely.to_wkb(geometries), [np.array(names, dtype=object),
                                           np.arange(len(names), dtype=np.int32)],
        ["name", "rank"], layer=Path(path).stem, driver=driver,
        geometry_type=kw.pop("geometry_type", "Polygon"),
        crs=f"EPSG:{srid}" if srid else None, encoding=encoding, **kw)


def shapefile(directory, encoding="UTF-8", cpg=True, prj=True, name="parcels"):
    shp = Path(directory) / f"{name}.shp"
    write_vector(shp, PARCELS_XY, NAMES, "ESRI Shapefile", encoding=encoding)
    if not cpg:
        shp.with_suffix(".cpg").unlink(missing_ok=True)
    if not prj:
        shp.with_suffix(".prj").unlink()
    return shp


def zipped(shp, extra=()):
    archive = shp.with_suffix(".zip")
    with zipfile.ZipFile(archive, "w") as zf:
        for part in sorted(shp.parent.glob(shp.stem + ".*")):
            if part.suffix != ".zip":
                zf.write(part, f"data/{part.name}")
        for name, text in extra:
            zf.writestr(name, text)
    return archive


def assert_nothing_left(name):
    assert not Layer.objects.filter(name=name).exists()
    assert not storage.table_exists(name)


# --- formats that import -------------------------------------------------------------------


def test_geopackage(tmp_path, department):
    path = tmp_path / "parcels.gpkg"
    write_vector(path, PARCELS_XY, NAMES, "GPKG")
    metadata = {"abstract": "地块", "keywords": ["测试"]}
    report = import_file(request_for(path, department, metadata=metadata))
    layer = report.layer
    assert (report.features, layer.feature_count, layer.srid) == (3, 3, 4549)
    assert layer.geometry_type == "MultiPolygon" and layer.abstract == "地块"
    assert [f["name"] for f in layer.fields] == ["name", "rank"]
    assert rows("imported") == [(n,) for n in NAMES]
    assert layer.extent.srid == 4490 and 120.5 < layer.extent.extent[0] < 120.6
    assert layer.styles.get().is_default


def test_attribute_values_of_every_type_arrive_unchanged(tmp_path, department):
    path = tmp_path / "types.gpkg"
    texts = np.array(['逗号,引号"与\n换行', "", None], dtype=object)
    pyogrio.raw.write(
        path, shapely.to_wkb(PARCELS_XY),
        [texts, np.array([1, -(2**40), 0], dtype=np.int64), np.array([0.5, np.nan, 1e300]),
         np.array([True, False, True])],
        ["text", "big", "real", "flag"], layer="types", driver="GPKG",
        geometry_type="Polygon", crs="EPSG:4549",
    )
    with sqlite3.connect(path) as db:  # pyogrio writes no BLOBs; add one with SQLite itself
        # The GeoPackage's R-tree triggers call GDAL's SQL functions; the importer never
        # reads the R-tree, so stand-ins for them are enough here.
        for function in ("ST_IsEmpty", "ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"):
            db.create_function(function, 1, lambda geometry: 0)
        db.execute("ALTER TABLE types ADD COLUMN blob BLOB")
        for fid, blob in enumerate([b"\x00\x01", b"", b"\xff"], start=1):
            db.execute("UPDATE types SET blob = ? WHERE fid = ?", (blob, fid))
    import_file(request_for(path, department, name="typed"))
    values = rows("typed", "text, big, real, blob, flag")
    assert [v[0] for v in values] == ['逗号,引号"与\n换行', "", None]
    assert [v[1] for v in values] == [1, -(2**40), 0]
    assert values[0][2] == 0.5 and values[1][2] is None and values[2][2] == 1e300
    assert [bytes(v[3]) for v in values] == [b"\x00\x01", b"", b"\xff"]
    assert [v[4] for v in values] == [True, False, True]


def test_zipped_shapefile_with_cpg(tmp_path, department, settings):
    archive = zipped(shapefile(tmp_path))
    report = import_file(request_for(archive, department))
    assert report.features == 3 and rows("imported") == [(n,) for n in NAMES]
    assert not list(settings.UPLOAD_DIR.glob("unzip-*"))  # the scratch copy is gone


@pytest.mark.parametrize("keep_ldid", [True, False], ids=["ldid", "sniffed"])
def test_gbk_shapefile_without_cpg(tmp_path, department, keep_ldid):
    shp = shapefile(tmp_path, encoding="GBK", cpg=False)
    assert "杨舍".encode("gbk") in shp.with_suffix(".dbf").read_bytes()
    if not keep_ldid:  # as many Chinese tools write it: no code page at all
        dbf = bytearray(shp.with_suffix(".dbf").read_bytes())
        dbf[29] = 0
        shp.with_suffix(".dbf").write_bytes(bytes(dbf))
    import_file(request_for(shp, department))
    assert rows("imported") == [(n,) for n in NAMES]


def test_geojson(tmp_path, department):
    path = tmp_path / "places.geojson"
    points = shapely.points([[120.54, 31.87], [120.55, 31.88]])
    write_vector(path, points, NAMES[:2], "GeoJSON", srid=4326, geometry_type="Point")
    report = import_file(request_for(path, department))
    assert report.layer.srid == 4326 and report.layer.geometry_type == "Point"
    assert rows("imported") == [(n,) for n in NAMES[:2]]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_csv_with_lon_lat_keeps_rows_with_bad_coordinates(tmp_path, department, encoding):
    path = tmp_path / "points.csv"
    path.write_text(
        "名称,经度,纬度,人数\n"
        "人民中路88号,120.5384683,31.8719234,12\n"
        "坐标缺失,,31.87,3\n"
        "梁丰花园,120.5199674,31.8753642,800\n"
        "坐标错误,东经120度,31.87,5\n",
        encoding=encoding,
    )
    report = import_file(request_for(path, department))
    assert report.layer.srid == 4490 and report.features == 4
    assert report.without_geometry == [2, 4]
    assert "2 features kept without usable geometry (source rows 2, 4)" in report.summary()
    assert rows("imported", "名称, 人数, geom IS NULL") == [
        ("人民中路88号", 12, False), ("坐标缺失", 3, True), ("梁丰花园", 800, False),
        ("坐标错误", 5, True)]


def test_geotiff_becomes_a_cloud_optimized_geotiff(tmp_path, department):
    path = tmp_path / "dem.tif"
    data = np.linspace(2, 136, 1500 * 1200, dtype=np.float32).reshape(1, 1200, 1500)
    with rasterio.open(path, "w", driver="GTiff", width=1500, height=1200, count=1,
                       dtype="float32", crs="EPSG:4549",
                       transform=Affine(10, 0, 538000, 0, -10, 3537000)) as out:
        out.write(data)
    layer = import_file(request_for(path, department)).layer
    assert layer.storage == "raster" and layer.srid == 4549
    assert layer.raster_info["width"] == 1500 and layer.native_bbox[0] == 538000
    with rasterio.open(layer.raster_path) as cog:
        assert cog.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
        assert cog.profile["tiled"] and cog.block_shapes[0] == (512, 512)
        assert cog.overviews(1) == [2, 4]
        assert np.array_equal(cog.read(), data)


# --- files that do not -----------------------------------------------------------------------


def _truncated_geopackage(tmp_path):
    path = tmp_path / "broken.gpkg"
    write_vector(path, PARCELS_XY, NAMES, "GPKG")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])
    return path


def _zip_without_shp(tmp_path):
    archive = tmp_path / "readme.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("说明.txt", "no shapefile here")
    return archive


def _shp_without_dbf(tmp_path):
    shp = shapefile(tmp_path)
    shp.with_suffix(".dbf").unlink()
    return shp


def _text_named_tif(tmp_path):
    path = tmp_path / "image.tif"
    path.write_text("not an image")
    return path


@pytest.mark.parametrize("make, says", [
    (_truncated_geopackage, "not a readable vector file: broken.gpkg"),
    (_zip_without_shp, "not a shapefile: readme.zip holds no .shp file"),
    (_shp_without_dbf, "not a shapefile: parcels.shp comes without its .dbf or .shx"),
    (_text_named_tif, "corrupt file: image.tif is not a valid tif file"),
], ids=["truncated-gpkg", "zip-without-shp", "shp-without-dbf", "text-as-tif"])
def test_corrupt_files_fail_with_one_line(tmp_path, department, make, says):
    with pytest.raises(ImportFailedError) as failure:
        import_file(request_for(make(tmp_path), department))
    assert says in failure.value.message
    assert "\n" not in failure.value.message
    assert_nothing_left("imported")


def test_missing_crs_is_a_clear_error_then_srid_fixes_it(tmp_path, department):
    shp = shapefile(tmp_path, prj=False)
    with pytest.raises(ImportFailedError) as failure:
        import_file(request_for(shp, department))
    assert failure.value.message == (
        "unknown CRS: parcels.shp declares no coordinate reference system; "
        "give one with --srs (for example EPSG:4490)")
    assert failure.value.locator == "srs"
    assert_nothing_left("imported")
    assert import_file(request_for(shp, department, srid=4549)).layer.srid == 4549


def test_name_clash(tmp_path, department):
    shp = shapefile(tmp_path)
    with pytest.raises(ImportFailedError, match="name clash: a layer named 'roads' already"):
        import_file(request_for(shp, department, name="roads"))
    with pytest.raises(ImportFailedError, match="invalid layer name 'Roads'"):
        import_file(request_for(shp, department, name="Roads"))


def test_bow_tie_is_repaired_and_reported(tmp_path, department):
    bow_tie = shapely.Polygon([(551000, 3527000), (551100, 3527100), (551100, 3527000),
                               (551000, 3527100), (551000, 3527000)])
    assert not bow_tie.is_valid
    path = tmp_path / "bowtie.gpkg"
    write_vector(path, [bow_tie, PARCELS_XY[1]], NAMES[:2], "GPKG")
    report = import_file(request_for(path, department))
    assert report.repaired == 1 and "1 invalid geometries repaired" in report.summary()
    assert rows("imported", "ST_IsValid(geom), ST_NumGeometries(geom), round(ST_Area(geom))") == [
        (True, 2, 5000), (True, 1, 6400)]


def test_an_import_failing_halfway_leaves_nothing(tmp_path, department, settings):
    settings.GEOSHARE_IMPORT_BATCH_SIZE = 10
    path = tmp_path / "many.gpkg"
    points = shapely.points(np.column_stack([np.linspace(550000, 552000, 45),
                                             np.full(45, 3527800.0)]))
    write_vector(path, points, [f"门牌{i}号" for i in range(45)], "GPKG", geometry_type="Point")
    seen = []

    def progress(done, total):
        seen.append(done)
        raise KeyboardInterrupt("the worker was stopped")

    with pytest.raises(KeyboardInterrupt):
        import_file(request_for(path, department), progress)
    assert seen == [10]
    assert_nothing_left("imported")


# --- the command and the job ---------------------------------------------------------------


def test_import_layer_command(tmp_path, department):
    shp = shapefile(tmp_path, encoding="GBK", cpg=False, prj=False)
    with pytest.raises(CommandError, match="unknown CRS: parcels.shp declares no"):
        call_command("import_layer", str(shp), name="parcels", department="zrzy")
    out = io.StringIO()
    call_command("import_layer", str(shp), name="parcels", department="zrzy", srs="EPSG:4549",
                 title="地块", tier="public", kind="basemap", keywords="地块, 测试", stdout=out)
    assert out.getvalue().startswith("3 features imported into parcels in ")
    layer = Layer.objects.get(name="parcels")
    assert (layer.title, layer.tier, layer.keywords) == ("地块", Tier.PUBLIC, ["地块", "测试"])
    assert rows("parcels") == [(n,) for n in NAMES]
    with pytest.raises(CommandError, match="no department 'nope'; known: dsj, gaj"):
        call_command("import_layer", str(shp), name="other", department="nope")


@pytest.mark.django_db(transaction=True, databases=["default", "progress"])
def test_import_job_asks_for_the_crs_then_finishes(tmp_path):
    upload = tmp_path / "upload"
    upload.mkdir()
    shp = shapefile(upload, prj=False)
    department = Department.objects.get(code="zrzy")
    options = {"name": "job_parcels", "title": "地块", "kind": "thematic",
               "tier": int(Tier.INTERNAL), "department_id": department.pk}
    job = submit_import(shp, options)
    assert job.status == JobStatus.QUEUED
    job = run_import_job(str(job.pk))
    assert job.status == JobStatus.NEEDS_INPUT and job.message.startswith("unknown CRS")
    assert_nothing_left("job_parcels") and shp.exists()

    ImportJob.objects.filter(pk=job.pk).update(options={**options, "srs": "EPSG:4549"})
    job = run_import_job(str(job.pk))
    try:
        assert job.status == JobStatus.DONE and job.progress == 100
        assert job.message == "3 features imported into job_parcels"
        assert job.layer.feature_count == 3 and not upload.exists()
    finally:
        Layer.objects.filter(name="job_parcels").delete()
