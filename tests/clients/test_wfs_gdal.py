"""GDAL's WFS driver (Debian gdal-bin 3.6): ogrinfo with filters, ogr2ogr round trip."""

import re
from urllib.parse import quote

import pyogrio
import pytest
import shapely

from tests.clients.conftest import run
from tests.services.wfs.conftest import PARCELS, SCHOOL_COUNT, school_points

pytestmark = pytest.mark.django_db(transaction=True)


def gml_ids(output: str) -> list[str]:
    return re.findall(r"gml_id \(String\) = (\S+)", output)


def test_ogrinfo_lists_layers_and_filters_on_the_server(client_layers, ows_url):
    listing = run("ogrinfo", "-ro", f"WFS:{ows_url}")
    assert "geoshare:wfs_schools (title: wfs_schools) (Point)" in listing
    output = run("ogrinfo", "-ro", "-al", f"WFS:{ows_url}", "geoshare:wfs_schools", "-where", "n >= 15 AND kind = '中学'")
    assert gml_ids(output) == ["wfs_schools.17", "wfs_schools.19"]
    assert "name (String) = 学校16" in output


def test_ogrinfo_with_an_ogc_filter_and_a_spatial_filter(client_layers, ows_url):
    fes = ('<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0"><fes:PropertyIsBetween>'
           "<fes:ValueReference>n</fes:ValueReference><fes:LowerBoundary><fes:Literal>2</fes:Literal>"
           "</fes:LowerBoundary><fes:UpperBoundary><fes:Literal>4</fes:Literal></fes:UpperBoundary>"
           "</fes:PropertyIsBetween></fes:Filter>")
    output = run("ogrinfo", "-ro", "-al", f"WFS:{ows_url}?FILTER={quote(fes)}", "geoshare:wfs_schools")
    assert gml_ids(output) == ["wfs_schools.3", "wfs_schools.4", "wfs_schools.5"]
    # -spat is lon/lat: GDAL flips it to the lat/lon of the urn DefaultCRS for the BBOX.
    output = run("ogrinfo", "-ro", "-al", f"WFS:{ows_url}", "geoshare:wfs_schools",
                 "-spat", "120.525", "31.89", "120.555", "31.91")
    assert gml_ids(output) == ["wfs_schools.4", "wfs_schools.5", "wfs_schools.6"]


def test_ogr2ogr_round_trip_into_a_geopackage(client_layers, ows_url, tmp_path):
    target = tmp_path / "copy.gpkg"
    run("ogr2ogr", "-f", "GPKG", str(target), f"WFS:{ows_url}", "geoshare:wfs_schools", "geoshare:parcels")
    meta, _, geometry, values = pyogrio.raw.read(target, layer="geoshare:wfs_schools")
    assert len(geometry) == SCHOOL_COUNT
    fields = list(meta["fields"])
    assert list(values[fields.index("name")]) == [f"学校{i}" for i in range(SCHOOL_COUNT)]
    assert list(values[fields.index("n")]) == list(range(SCHOOL_COUNT))
    for wkb, point in zip(geometry, school_points()):
        assert shapely.from_wkb(wkb).equals_exact(point, 1e-8)
    meta, _, geometry, values = pyogrio.raw.read(target, layer="geoshare:parcels")
    assert meta["crs"] == "EPSG:4549" and list(values[list(meta["fields"]).index("code")])[0] == "地块0"
    assert shapely.from_wkb(geometry[0]).normalize().equals_exact(shapely.MultiPolygon([PARCELS[0]]).normalize(), 1e-3)


def test_a_token_in_the_url_reaches_every_request_gdal_makes(client_layers, ows_url):
    from django.contrib.auth.models import User

    from geoshare.access import tokens
    from geoshare.access.models import Profile, Tier
    from tests.factories import department, vector_layer

    plans = vector_layer("plans", PARCELS[:2], {"code": ["规划1", "规划2"]}, srid=4549,
                         tier=Tier.INTERNAL, dept=department("ghj", "规划局"))
    try:
        planner = User.objects.create_user("planner")
        Profile.objects.create(user=planner, department=department("ghj"))
        secret, _ = tokens.issue(planner, "gdal")
        assert "geoshare:plans" not in run("ogrinfo", "-ro", f"WFS:{ows_url}")
        # GDAL calls the DescribeFeatureType and GetFeature hrefs the capabilities advertise.
        output = run("ogrinfo", "-ro", "-al", f"WFS:{ows_url}?token={secret}", "geoshare:plans")
        assert gml_ids(output) == ["plans.1", "plans.2"] and "code (String) = 规划2" in output
    finally:
        plans.delete()
