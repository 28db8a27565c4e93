"""WCS capabilities, 2.0.1 (with the CRS, scaling, range subsetting and interpolation
extensions it implements) and 1.0.0 (for QGIS's own WCS provider), for the coverages a
principal sees."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from lxml import etree

from geoshare.geo import OFFERED_SRIDS, Crs
from services.wcs.descriptions import GML, XLINK, lon_lat_envelope, sub, wgs84_bounds
from services.wcs.params import FORMATS, INTERPOLATIONS, WCS10, WCS20

__all__ = ["Endpoints", "capabilities_20", "capabilities_10", "PROFILES"]

_OWS20 = "http://www.opengis.net/ows/2.0"
_CRS_EXT = "http://www.opengis.net/wcs/crs/1.0"
_INT_EXT = "http://www.opengis.net/wcs/interpolation/1.0"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
PROFILES = (
    "http://www.opengis.net/spec/WCS/2.0/conf/core",
    "http://www.opengis.net/spec/WCS_protocol-binding_get-kvp/1.0/conf/get-kvp",
    "http://www.opengis.net/spec/GMLCOV/1.0/conf/gml-coverage",
    "http://www.opengis.net/spec/GMLCOV/1.0/conf/multipart",
    "http://www.opengis.net/spec/WCS_geotiff-coverages/1.0/conf/geotiff-coverage",
    "http://www.opengis.net/spec/WCS_service-extension_crs/1.0/conf/crs",
    "http://www.opengis.net/spec/WCS_service-extension_scaling/1.0/conf/scaling",
    "http://www.opengis.net/spec/WCS_service-extension_range-subsetting/1.0/conf/record-subsetting",
    "http://www.opengis.net/spec/WCS_service-extension_interpolation/1.0/conf/interpolation",
)


@dataclass(frozen=True)
class Endpoints:
    get: str  # KVP OnlineResource, ending in ? or &


def capabilities_20(layers, endpoints: Endpoints) -> bytes:
    def o(name: str) -> str:
        return f"{{{_OWS20}}}{name}"

    def w(name: str) -> str:
        return f"{{{WCS20}}}{name}"

    root = etree.Element(
        w("Capabilities"),
        version="2.0.1",
        nsmap={
            "wcs": WCS20,
            "ows": _OWS20,
            "xlink": XLINK,
            "xsi": _XSI,
            "crs": _CRS_EXT,
            "int": _INT_EXT,
        },
    )
    root.set(f"{{{_XSI}}}schemaLocation", f"{WCS20} http://schemas.opengis.net/wcs/2.0/wcsAll.xsd")
    identification = sub(root, o("ServiceIdentification"))
    sub(identification, o("Title"), _("geoshare coverage service"))
    sub(
        identification,
        o("Abstract"),
        _("Rasters (DEM, orthophoto) of the city geospatial sharing platform as WCS."),
    )
    sub(identification, o("ServiceType"), "OGC WCS", codeSpace="OGC")
    for version in ("2.0.1", "1.0.0"):
        sub(identification, o("ServiceTypeVersion"), version)
    for profile in PROFILES:
        sub(identification, o("Profile"), profile)
    sub(identification, o("Fees"), "NONE")
    sub(identification, o("AccessConstraints"), "NONE")
    sub(sub(root, o("ServiceProvider")), o("ProviderName"), "geoshare")
    metadata = sub(root, o("OperationsMetadata"))
    for name in ("GetCapabilities", "DescribeCoverage", "GetCoverage"):
        operation = sub(metadata, o("Operation"), name=name)
        http = sub(sub(operation, o("DCP")), o("HTTP"))
        sub(http, o("Get"), **{f"{{{XLINK}}}href": endpoints.get})
    service_metadata = sub(root, w("ServiceMetadata"))
    for media_type in FORMATS:
        sub(service_metadata, w("formatSupported"), media_type)
    extension = sub(service_metadata, w("Extension"))
    interpolation = sub(extension, f"{{{_INT_EXT}}}InterpolationMetadata")
    for name in INTERPOLATIONS:
        sub(
            interpolation,
            f"{{{_INT_EXT}}}InterpolationSupported",
            f"http://www.opengis.net/def/interpolation/OGC/1/{name}",
        )
    crs_metadata = sub(extension, f"{{{_CRS_EXT}}}CrsMetadata")
    native = sorted({layer.srid for layer in layers} - set(OFFERED_SRIDS))
    for srid in (*OFFERED_SRIDS, *native):
        sub(crs_metadata, f"{{{_CRS_EXT}}}crsSupported", Crs(srid, "").uri)
    contents = sub(root, w("Contents"))
    for layer in layers:
        summary = sub(contents, w("CoverageSummary"))
        sub(summary, o("Title"), layer.title)
        if layer.abstract:
            sub(summary, o("Abstract"), layer.abstract)
        bounds = wgs84_bounds(layer)
        if bounds:
            box = sub(summary, o("WGS84BoundingBox"))
            sub(box, o("LowerCorner"), f"{bounds[0]!r} {bounds[1]!r}")
            sub(box, o("UpperCorner"), f"{bounds[2]!r} {bounds[3]!r}")
        sub(summary, w("CoverageId"), layer.name)
        sub(summary, w("CoverageSubtype"), "RectifiedGridCoverage")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def capabilities_10(layers, endpoints: Endpoints) -> bytes:
    def w(name: str) -> str:
        return f"{{{WCS10}}}{name}"

    root = etree.Element(
        w("WCS_Capabilities"), version="1.0.0", nsmap={None: WCS10, "gml": GML, "xlink": XLINK}
    )
    service = sub(root, w("Service"))
    sub(
        service,
        w("description"),
        _("Rasters (DEM, orthophoto) of the city geospatial sharing platform as WCS."),
    )
    sub(service, w("name"), "WCS")
    sub(service, w("label"), _("geoshare coverage service"))
    sub(service, w("fees"), "NONE")
    sub(service, w("accessConstraints"), "NONE")
    request = sub(sub(root, w("Capability")), w("Request"))
    for name in ("GetCapabilities", "DescribeCoverage", "GetCoverage"):
        http = sub(sub(sub(request, w(name)), w("DCPType")), w("HTTP"))
        sub(sub(http, w("Get")), w("OnlineResource"), **{f"{{{XLINK}}}href": endpoints.get})
    sub(sub(root.find(w("Capability")), w("Exception")), w("Format"), "application/vnd.ogc.se_xml")
    content = sub(root, w("ContentMetadata"))
    for layer in layers:
        brief = sub(content, w("CoverageOfferingBrief"))
        sub(brief, w("name"), layer.name)
        sub(brief, w("label"), layer.title)
        lon_lat_envelope(brief, layer)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
