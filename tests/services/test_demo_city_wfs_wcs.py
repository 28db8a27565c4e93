"""The demo city's landmarks, found through WFS and WCS as a planner in QGIS would find them."""

import numpy as np
import pytest
from rasterio.io import MemoryFile

from fixtures.demo.landmarks import CITY_GOVERNMENT, XIANGSHAN_SUMMIT
from tests.services.ogc import NS, xml

pytestmark = pytest.mark.django_db


def test_city_government_building_by_filter_and_box(client):
    x, y = CITY_GOVERNMENT.xy
    # EPSG:4549 in WFS 2.0 is northing, easting.
    box = f"{y - 20},{x - 20},{y + 20},{x + 20},urn:ogc:def:crs:EPSG::4549"
    root = xml(client.get(f"/ows?SERVICE=WFS&REQUEST=GetFeature&TYPENAMES=geoshare:buildings&BBOX={box}"))
    names = [m.findtext("geoshare:name", namespaces=NS) for m in root.iterfind("wfs:member/*", NS)]
    assert "张家港市人民政府" in names
    building = next(m for m in root.iterfind("wfs:member/*", NS)
                    if m.findtext("geoshare:name", namespaces=NS) == "张家港市人民政府")
    assert building.findtext("geoshare:floors", namespaces=NS) == "12"
    assert building.findtext("geoshare:address", namespaces=NS) == "人民中路193号"


def test_xiangshan_is_the_highest_cell_around_it(client):
    lon, lat = XIANGSHAN_SUMMIT.lnglat
    response = client.get(
        "/ows?SERVICE=WCS&VERSION=2.0.1&REQUEST=GetCoverage&COVERAGEID=dem"
        "&SUBSETTINGCRS=http://www.opengis.net/def/crs/EPSG/0/4490"
        f"&SUBSET=Lat({lat - 0.01},{lat + 0.01})&SUBSET=Long({lon - 0.01},{lon + 0.01})"
    )
    with MemoryFile(response.content) as memory, memory.open() as ds:
        data = ds.read(1, masked=True)
        row, col = np.unravel_index(np.ma.argmax(data), data.shape)
        peak_lon, peak_lat = ds.xy(row, col)
    # Cells are up to 200 m wide at the test scale: the summit's cell is a little lower.
    assert 0.85 * XIANGSHAN_SUMMIT.attributes["elevation"] < float(data.max()) <= 137
    assert (peak_lon, peak_lat) == pytest.approx((lon, lat), abs=0.003)
