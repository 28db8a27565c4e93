"""WCS 2.0.1 and 1.0.0 through /ows: capabilities, descriptions and coverages read back as files."""

import email
import email.policy

import numpy as np
import pytest
from django.contrib.gis.geos import GEOSGeometry
from lxml import etree
from rasterio.io import MemoryFile

from tests.services.ogc import NS, exception_report, xml
from tests.services.wcs.conftest import dem_values, ortho_values

pytestmark = pytest.mark.django_db

WCS = "/ows?SERVICE=WCS&VERSION=2.0.1"
COVERAGE = WCS + "&REQUEST=GetCoverage&COVERAGEID="


def raster(response):
    assert response.status_code == 200, response.content[:500]
    memory = MemoryFile(response.content)
    return memory.open()


def test_capabilities_list_visible_coverages_with_extensions(client, coverages):
    root = xml(client.get(WCS + "&REQUEST=GetCapabilities"))
    assert root.tag == f"{{{NS['wcs']}}}Capabilities"
    ids = [e.text for e in root.iterfind("wcs:Contents/wcs:CoverageSummary/wcs:CoverageId", NS)]
    assert {"wcs_dem", "ortho", "dem", "orthophoto"} <= set(ids) and "secret_dem" not in ids
    profiles = [e.text for e in root.iterfind(".//ows20:Profile", NS)]
    assert "http://www.opengis.net/spec/WCS_service-extension_scaling/1.0/conf/scaling" in profiles
    assert [e.text for e in root.iterfind("wcs:ServiceMetadata/wcs:formatSupported", NS)] == ["image/tiff", "image/png"]


def test_describe_coverage_grid_in_the_crs_axis_order(client, coverages):
    root = xml(client.get(WCS + "&REQUEST=DescribeCoverage&COVERAGEID=wcs_dem,ortho"))
    wcs_dem, ortho = root.findall("wcs:CoverageDescription", NS)
    envelope = wcs_dem.find("gml:boundedBy/gml:Envelope", NS)
    assert envelope.get("axisLabels") == "N E"
    assert envelope.findtext("gml:lowerCorner", namespaces=NS) == "3529200.0 540000.0"
    grid = wcs_dem.find("gml:domainSet/gml:RectifiedGrid", NS)
    assert grid.findtext("gml:limits/gml:GridEnvelope/gml:high", namespaces=NS) == "99 79"
    assert grid.findtext("gml:axisLabels", namespaces=NS) == "E N"
    assert grid.findtext("gml:origin/gml:Point/gml:pos", namespaces=NS) == "3529995.0 540005.0"
    assert [e.text for e in grid.findall("gml:offsetVector", NS)] == ["0.0 10.0", "-10.0 0.0"]
    assert wcs_dem.findtext(".//swe:NilValue", namespaces=NS) == "-9999"
    assert ortho.find("gml:boundedBy/gml:Envelope", NS).get("axisLabels") == "Lat Long"
    assert len(ortho.findall(".//swe:field", NS)) == 3


def test_native_trim_returns_the_stored_cells(client, coverages):
    with raster(client.get(COVERAGE + "wcs_dem&SUBSET=E(540100,540300)&SUBSET=N(3529800,3529900)")) as ds:
        assert (ds.width, ds.height) == (20, 10) and ds.crs.to_epsg() == 4549
        assert np.array_equal(ds.read(1), dem_values()[10:20, 10:30])


def test_trims_between_cell_edges_widen_to_whole_cells(client, coverages):
    with raster(client.get(COVERAGE + "wcs_dem&SUBSET=E(540105,540111)&SUBSET=N(3529995.5,3529999)")) as ds:
        assert ds.transform.c == 540100 and ds.transform.f == 3530000
        assert np.array_equal(ds.read(1), dem_values()[0:1, 10:12])


def test_open_ends_and_slices(client, coverages):
    with raster(client.get(COVERAGE + "wcs_dem&SUBSET=E(*,540020)")) as ds:
        assert np.array_equal(ds.read(1), dem_values()[:, 0:2])
    with raster(client.get(COVERAGE + "wcs_dem&SUBSET=N(3529455)")) as ds:  # the row holding N=3529455
        assert ds.height == 1 and np.array_equal(ds.read(1)[0], dem_values()[54])


def test_geographic_coverage_subset_in_lat_long(client, coverages):
    with raster(client.get(COVERAGE + "ortho&SUBSET=Lat(31.898,31.899)&SUBSET=Long(120.551,120.553)")) as ds:
        assert ds.count == 3 and (ds.width, ds.height) == (20, 10)
        assert np.array_equal(ds.read(), ortho_values()[:, 10:20, 10:30])


def test_reprojection_with_subsetting_and_output_crs(client, coverages):
    url = (COVERAGE + "wcs_dem&SUBSETTINGCRS=http://www.opengis.net/def/crs/EPSG/0/4490"
           "&SUBSET=Lat(31.889,31.892)&SUBSET=Long(120.424,120.428)&SCALESIZE=Long(40),Lat(30)")
    with raster(client.get(url)) as ds:
        assert ds.crs.to_epsg() == 4490 and (ds.width, ds.height) == (40, 30)
        west, south, east, north = ds.bounds
        assert (west, south, east, north) == pytest.approx((120.424, 31.889, 120.428, 31.892))
        data = ds.read(1, masked=True)
        assert data.count() > 0.9 * data.size and 0 <= data.min() and data.max() <= 79099
    with raster(client.get(COVERAGE + "wcs_dem&OUTPUTCRS=EPSG:3857&SCALEFACTOR=4")) as ds:
        assert ds.crs.to_epsg() == 3857 and abs(ds.width - 25) <= 2


@pytest.mark.parametrize("scaling, size", [
    ("SCALEFACTOR=2", (50, 40)),
    ("SCALEAXES=E(4),N(2)", (25, 40)),
    ("SCALESIZE=i(10),j(8)", (10, 8)),
    ("SCALEEXTENT=E(0:49),N(0:9)", (50, 10)),
])
def test_scaling(client, coverages, scaling, size):
    with raster(client.get(COVERAGE + f"wcs_dem&{scaling}")) as ds:
        assert (ds.width, ds.height) == size
        assert ds.bounds == pytest.approx((540000, 3529200, 541000, 3530000))


def test_range_subset_and_png(client, coverages):
    with raster(client.get(COVERAGE + "ortho&RANGESUBSET=band3,band1")) as ds:
        assert ds.count == 2 and np.array_equal(ds.read(1), ortho_values()[2])
    with raster(client.get(COVERAGE + "ortho&RANGESUBSET=band1:band2")) as ds:
        assert ds.count == 2
    response = client.get(COVERAGE + "wcs_dem&FORMAT=image/png&SCALESIZE=E(50),N(40)")
    assert response["Content-Type"] == "image/png" and response.content.startswith(b"\x89PNG")


def test_multipart_holds_the_description_then_the_file(client, coverages):
    response = client.get(COVERAGE + "wcs_dem&SUBSET=E(540000,540100)&SUBSET=N(3529900,3530000)&MEDIATYPE=multipart/related")
    assert response["Content-Type"].startswith("multipart/related")
    message = email.message_from_bytes(
        b"Content-Type: " + response["Content-Type"].encode() + b"\r\n\r\n" + response.content,
        policy=email.policy.HTTP,
    )
    gml_part, tiff_part = list(message.iter_parts())
    coverage = etree.fromstring(gml_part.get_payload(decode=True))
    assert coverage.find(".//gml:GridEnvelope/gml:high", NS).text == "9 9"
    assert coverage.find(".//gml:fileReference", NS).text == "cid:wcs_dem.tif"
    assert tiff_part["Content-ID"] == "<wcs_dem.tif>"
    with MemoryFile(tiff_part.get_payload(decode=True)) as memory, memory.open() as ds:
        assert np.array_equal(ds.read(1), dem_values()[0:10, 0:10])


def test_a_grants_area_limit_masks_the_coverage(client, coverages, settings, tmp_path):
    from django.contrib.auth.models import User

    from geoshare.access.models import LayerGrant, Profile, Tier
    from tests.factories import department, raster_layer
    from tests.services.wcs.conftest import DEM_TRANSFORM

    settings.RASTER_DIR = tmp_path
    owned = raster_layer("zoned_dem", dem_values()[None], DEM_TRANSFORM, srid=4549, nodata=-9999.0,
                         tier=Tier.INTERNAL, dept=department("zrzy", "自然资源和规划局"))
    west_half = GEOSGeometry("MULTIPOLYGON(((540000 3530000, 540500 3530000, 540500 3529200, "
                             "540000 3529200, 540000 3530000)))", srid=4549)
    west_half.transform(4490)
    LayerGrant.objects.create(layer=owned, department=department("ghj"), area_limit=west_half)
    planner = User.objects.create_user("planner")
    Profile.objects.create(user=planner, department=department("ghj"))
    assert client.get(COVERAGE + "zoned_dem").status_code == 404
    client.force_login(planner)
    with raster(client.get(COVERAGE + "zoned_dem")) as ds:
        data = ds.read(1)
    assert (data[:, :48] == dem_values()[:, :48]).all() and (data[:, 52:] == -9999).all()


# -- WCS 1.0.0, as QGIS's own WCS provider speaks it --------------------------------------------

WCS10 = "/ows?SERVICE=WCS&VERSION=1.0.0"


def test_wcs_1_0_capabilities_and_description(client, coverages):
    root = xml(client.get(WCS10 + "&REQUEST=GetCapabilities"))
    assert root.tag == f"{{{NS['wcs10']}}}WCS_Capabilities"
    names = [e.text for e in root.iterfind(".//wcs10:CoverageOfferingBrief/wcs10:name", NS)]
    assert {"wcs_dem", "ortho"} <= set(names) and "secret_dem" not in names
    root = xml(client.get(WCS10 + "&REQUEST=DescribeCoverage&COVERAGE=wcs_dem"))
    offering = root.find("wcs10:CoverageOffering", NS)
    assert offering.find(".//gml311:Envelope", NS).get("srsName") == "EPSG:4549"
    assert [e.text for e in offering.iterfind(".//gml311:Envelope/gml311:pos", NS)] == [
        "540000.0 3529200.0", "541000.0 3530000.0"]
    assert "EPSG:4490" in [e.text for e in offering.iterfind(".//wcs10:requestResponseCRSs", NS)]


def test_wcs_1_0_get_coverage_answers_the_box_asked_for(client, coverages):
    url = WCS10 + "&REQUEST=GetCoverage&COVERAGE=wcs_dem&CRS=EPSG:4549&FORMAT=GeoTIFF&WIDTH=30&HEIGHT=20"
    with raster(client.get(url + "&BBOX=540100,3529800,540400,3530000")) as ds:
        assert (ds.width, ds.height) == (30, 20) and ds.bounds == pytest.approx((540100, 3529800, 540400, 3530000))
        assert np.array_equal(ds.read(1), dem_values()[0:20, 10:40])
    # A box reaching past the coverage keeps its georeferencing; the outside is nodata.
    with raster(client.get(url + "&BBOX=540900,3529800,541200,3530000")) as ds:
        assert ds.bounds == pytest.approx((540900, 3529800, 541200, 3530000))
        data = ds.read(1)
        assert (data[:, :10] == dem_values()[0:20, 90:100]).all() and (data[:, 10:] == -9999).all()
    with raster(client.get(WCS10 + "&REQUEST=GetCoverage&COVERAGE=ortho&CRS=EPSG:4326&RESPONSE_CRS=EPSG:4549"
                           "&FORMAT=image/tiff&BBOX=120.551,31.896,120.555,31.899&RESX=10&RESY=10")) as ds:
        assert ds.crs.to_epsg() == 4549 and ds.count == 3


def test_wcs_1_0_errors_use_its_codes(client, coverages):
    response = client.get(WCS10 + "&REQUEST=GetCoverage&COVERAGE=secret_dem&CRS=EPSG:4549&FORMAT=GeoTIFF"
                                  "&WIDTH=3&HEIGHT=3&BBOX=540100,3529800,540400,3530000")
    assert response.status_code == 400
    assert exception_report(response)[:2] == ("CoverageNotDefined", "COVERAGE")
    response = client.get(WCS10 + "&REQUEST=GetCoverage&COVERAGE=wcs_dem&CRS=EPSG:4549&FORMAT=ECW"
                                  "&WIDTH=3&HEIGHT=3&BBOX=540100,3529800,540400,3530000")
    assert exception_report(response)[:2] == ("InvalidFormat", "FORMAT")


def test_the_audit_trail_counts_pixels(client, coverages):
    from geoshare.access.models import AuditRecord

    client.get(COVERAGE + "wcs_dem&SUBSET=E(540100,540300)&SUBSET=N(3529800,3529900)")
    record = AuditRecord.objects.latest("pk")
    assert (record.service, record.layers, record.items) == ("WCS", ["wcs_dem"], 200)
