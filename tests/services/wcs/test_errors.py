"""Bad WCS 2.0.1 input: the exception code and locator of the spec, 404 only where it says so."""

import pytest

from tests.services.ogc import exception_report

pytestmark = pytest.mark.django_db

COVERAGE = "/ows?SERVICE=WCS&VERSION=2.0.1&REQUEST=GetCoverage&COVERAGEID="


def report(response, status):
    assert response.status_code == status, response.content[:300]
    assert b"http://www.opengis.net/ows/2.0" in response.content
    return exception_report(response)[:2]


@pytest.mark.parametrize("query, status, code, locator", [
    ("wcs_dem&SUBSET=Height(1,2)", 404, "InvalidAxisLabel", "subset"),
    ("wcs_dem&SUBSET=Lat(31,32)", 404, "InvalidAxisLabel", "subset"),  # wcs_dem is in 4549: E and N
    ("wcs_dem&SUBSET=E(540300,540100)", 404, "InvalidSubsetting", "subset"),
    ("wcs_dem&SUBSET=E(0,10)", 404, "InvalidSubsetting", "subset"),
    ("wcs_dem&SUBSET=N(1)", 404, "InvalidSubsetting", "subset"),
    ("wcs_dem&SUBSET=E(NaN,540100)", 404, "InvalidSubsetting", "subset"),
    ("wcs_dem&SUBSET=E(540000,inf)", 404, "InvalidSubsetting", "subset"),
    ("wcs_dem&SUBSET=E(1,2,3)", 404, "InvalidSubsetting", "subset"),
    ("wcs_dem&SUBSET=E(540000,540100)&SUBSET=E(540000,540100)", 404, "InvalidSubsetting", "subset"),
    ("wcs_dem&SUBSET=garbage", 404, "InvalidSubsetting", "subset"),
    ("wcs_dem&SUBSETTINGCRS=EPSG:99999", 400, "SubsettingCrs-NotSupported", "subsettingCrs"),
    ("wcs_dem&OUTPUTCRS=http://www.opengis.net/def/crs/EPSG/0/32650", 400, "OutputCrs-NotSupported", "outputCrs"),
    ("wcs_dem&SCALEFACTOR=0", 404, "InvalidScaleFactor", "scaleFactor"),
    ("wcs_dem&SCALEFACTOR=-2", 404, "InvalidScaleFactor", "scaleFactor"),
    ("wcs_dem&SCALEAXES=E(nan)", 404, "InvalidScaleFactor", "scaleAxes"),
    ("wcs_dem&SCALESIZE=Q(10)", 404, "ScalingAxisUndefined", "scaling"),
    ("wcs_dem&SCALESIZE=E(1000000000)", 400, "InvalidParameterValue", "scaleSize"),
    ("wcs_dem&SCALESIZE=E(60000),N(60000)", 400, "InvalidParameterValue", "scaleSize"),
    ("wcs_dem&SCALEEXTENT=E(10:2)", 404, "InvalidExtent", "scaleExtent"),
    ("wcs_dem&SCALEFACTOR=2&SCALESIZE=E(3)", 400, "InvalidParameterValue", "scalesize"),
    ("wcs_dem&RANGESUBSET=elevation", 404, "NoSuchField", "rangeSubset"),
    ("wcs_dem&RANGESUBSET=band1:band7", 404, "NoSuchField", "rangeSubset"),
    ("wcs_dem&INTERPOLATION=http://www.opengis.net/def/interpolation/OGC/1/magic", 404,
     "InterpolationMethodNotSupported", "interpolation"),
    ("wcs_dem&FORMAT=application/x-netcdf", 400, "InvalidParameterValue", "format"),
    ("wcs_dem&MEDIATYPE=text/html", 400, "InvalidParameterValue", "mediaType"),
    ("wcs_dem,ortho", 400, "InvalidParameterValue", "coverageId"),
])
def test_bad_get_coverage(client, coverages, query, status, code, locator):
    assert report(client.get(COVERAGE + query), status) == (code, locator)


def test_missing_coverage_id(client, coverages):
    response = client.get("/ows?SERVICE=WCS&VERSION=2.0.1&REQUEST=GetCoverage")
    assert report(response, 400) == ("MissingParameterValue", "coverageId")


def test_hidden_coverage_answers_exactly_as_an_unknown_one(client, coverages):
    for request in ("GetCoverage&COVERAGEID=", "DescribeCoverage&COVERAGEID="):
        hidden = client.get(f"/ows?SERVICE=WCS&VERSION=2.0.1&REQUEST={request}secret_dem")
        unknown = client.get(f"/ows?SERVICE=WCS&VERSION=2.0.1&REQUEST={request}no_such_dem")
        assert report(hidden, 404) == report(unknown, 404) == ("NoSuchCoverage", "coverageId")
        assert hidden.content.replace(b"secret_dem", b"X") == unknown.content.replace(b"no_such_dem", b"X")


def test_a_feature_type_is_not_a_coverage(client, coverages):
    import shapely

    from tests.factories import vector_layer

    vector_layer("points_for_wcs", [shapely.Point(120.5, 31.9)], {"a": [1]})
    assert report(client.get(COVERAGE + "points_for_wcs"), 404) == ("NoSuchCoverage", "coverageId")
