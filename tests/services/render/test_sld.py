"""SLD 1.0 / SE 1.1 styles, as QGIS exports them, drawn by Mapnik."""

import pytest

from django.utils import translation

from geoshare.errors import InvalidParameterError
from geoshare.geo import BBox
from services.render.formats import FORMATS
from services.render.maps import MapRequest, render_map
from services.render.sld import SldError, convert_sld
from services.render.stylestore import save_sld_styles
from services.render.targets import resolve
from tests.town import TOWN_BOX, pixel

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tile_cache_dir")]

# Trimmed from a QGIS 3.22 "Export > Save as SLD style file" of a categorized polygon layer.
QGIS_POLYGONS = """<?xml version="1.0" encoding="UTF-8"?>
<StyledLayerDescriptor xmlns="http://www.opengis.net/sld" version="1.1.0"
    xmlns:ogc="http://www.opengis.net/ogc" xmlns:se="http://www.opengis.net/se"
    xmlns:xlink="http://www.w3.org/1999/xlink">
  <NamedLayer>
    <se:Name>town_buildings</se:Name>
    <UserStyle>
      <se:Name>by kind</se:Name>
      <se:FeatureTypeStyle>
        <se:Rule>
          <se:Name>culture</se:Name>
          <se:Description><se:Title>文化设施</se:Title></se:Description>
          <ogc:Filter><ogc:PropertyIsEqualTo>
            <ogc:PropertyName>kind</ogc:PropertyName><ogc:Literal>culture</ogc:Literal>
          </ogc:PropertyIsEqualTo></ogc:Filter>
          <se:PolygonSymbolizer>
            <se:Fill><se:SvgParameter name="fill">#1f78b4</se:SvgParameter></se:Fill>
            <se:Stroke><se:SvgParameter name="stroke">#232323</se:SvgParameter>
              <se:SvgParameter name="stroke-width">1</se:SvgParameter></se:Stroke>
          </se:PolygonSymbolizer>
        </se:Rule>
        <se:Rule>
          <se:Name>other</se:Name>
          <se:ElseFilter/>
          <se:PolygonSymbolizer>
            <se:Fill><se:SvgParameter name="fill">#33a02c</se:SvgParameter></se:Fill>
          </se:PolygonSymbolizer>
        </se:Rule>
        <se:Rule>
          <se:TextSymbolizer>
            <se:Label><ogc:PropertyName>name</ogc:PropertyName></se:Label>
            <se:Font><se:SvgParameter name="font-size">13</se:SvgParameter></se:Font>
            <se:Halo><se:Radius>1</se:Radius></se:Halo>
            <se:Fill><se:SvgParameter name="fill">#000000</se:SvgParameter></se:Fill>
          </se:TextSymbolizer>
        </se:Rule>
      </se:FeatureTypeStyle>
    </UserStyle>
  </NamedLayer>
</StyledLayerDescriptor>""".encode()

SLD10_POINTS_LINES = """<StyledLayerDescriptor version="1.0.0" xmlns="http://www.opengis.net/sld"
    xmlns:ogc="http://www.opengis.net/ogc">
  <NamedLayer><Name>x</Name><UserStyle><Name>Mixed</Name><Title>mixed</Title>
    <FeatureTypeStyle><Rule>
      <MaxScaleDenominator>50000</MaxScaleDenominator>
      <ogc:Filter><ogc:And>
        <ogc:PropertyIsLike wildCard="*" singleChar="." escape="!">
          <ogc:PropertyName>name</ogc:PropertyName><ogc:Literal>人民*</ogc:Literal></ogc:PropertyIsLike>
        <ogc:Not><ogc:PropertyIsNull><ogc:PropertyName>road_class</ogc:PropertyName></ogc:PropertyIsNull></ogc:Not>
      </ogc:And></ogc:Filter>
      <LineSymbolizer><Stroke><CssParameter name="stroke">#ff7f00</CssParameter>
        <CssParameter name="stroke-width">6</CssParameter>
        <CssParameter name="stroke-dasharray">4 2</CssParameter></Stroke></LineSymbolizer>
      <PointSymbolizer><Graphic><Mark><WellKnownName>star</WellKnownName>
        <Fill><CssParameter name="fill">#ffff00</CssParameter></Fill></Mark><Size>10</Size></Graphic>
      </PointSymbolizer>
    </Rule></FeatureTypeStyle></UserStyle></NamedLayer>
</StyledLayerDescriptor>""".encode()

RASTER_SLD = b"""<StyledLayerDescriptor version="1.0.0" xmlns="http://www.opengis.net/sld">
  <NamedLayer><Name>dem</Name><UserStyle><Name>elevation</Name><FeatureTypeStyle><Rule>
    <RasterSymbolizer><Opacity>1</Opacity><ColorMap type="intervals">
      <ColorMapEntry color="#0000ff" quantity="40" label="low"/>
      <ColorMapEntry color="#ff0000" quantity="200" label="high"/>
    </ColorMap></RasterSymbolizer>
  </Rule></FeatureTypeStyle></UserStyle></NamedLayer>
</StyledLayerDescriptor>"""


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):  # the messages asserted below are the English ones
        yield


def draw(principal, name, style=""):
    layers = resolve(principal, [name], [style])
    return render_map(MapRequest(tuple(layers), BBox(*TOWN_BOX, 4549), 256, 256, FORMATS["image/png"]))


def test_qgis_categorized_polygons_draw_their_categories(town, town_principals):
    styles = save_sld_styles(town.buildings, QGIS_POLYGONS)
    assert [s.name for s in styles] == ["by_kind"] and styles[0].sld.startswith("<?xml")
    png = draw(town_principals["anonymous"], "town_buildings", "by_kind")
    assert pixel(png, 88, 150)[:3] == (0x1F, 0x78, 0xB4)  # the library (off its label): culture
    assert pixel(png, 140, 116)[:3] == (0x33, 0xA0, 0x2C)  # the gym: anything else
    assert 'name="文化设施"' in styles[0].body  # the rule title names the legend row


def test_sld_1_0_filters_lines_marks_and_scales():
    (style,) = convert_sld(SLD10_POINTS_LINES, "MultiLineString")
    body = style.body
    assert "[name].match('^人民.*$')" in body and "(not ([road_class] = null))" in body
    assert 'stroke-dasharray="4,2"' in body and 'file="star.svg"' in body
    assert "<MaxScaleDenominator>50000</MaxScaleDenominator>" in body


def test_raster_colour_map_intervals(town, town_principals):
    save_sld_styles(town.dem, RASTER_SLD)
    png = draw(town_principals["anonymous"], "town_dem", "elevation")
    # DEM value = row + column: 2 at the top-left corner (≤ 40: blue), 118 at the bottom right.
    assert pixel(png, 3, 3)[:3] == (0, 0, 255)
    assert pixel(png, 250, 250)[:3] == (255, 0, 0)


@pytest.mark.parametrize("sld, words", [
    (b'<StyledLayerDescriptor xmlns="http://www.opengis.net/sld"><NamedLayer><UserStyle>'
     b'<FeatureTypeStyle><Rule><PointSymbolizer><Graphic><ExternalGraphic>'
     b'<OnlineResource xmlns:xlink="http://www.w3.org/1999/xlink" '
     b'xlink:href="http://169.254.169.254/latest/meta-data"/><Format>image/png</Format>'
     b'</ExternalGraphic></Graphic></PointSymbolizer></Rule></FeatureTypeStyle></UserStyle>'
     b'</NamedLayer></StyledLayerDescriptor>', "not fetched"),
    (b'<StyledLayerDescriptor xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc">'
     b'<NamedLayer><UserStyle><FeatureTypeStyle><Rule><ogc:Filter><ogc:BBOX>'
     b'<ogc:PropertyName>geom</ogc:PropertyName></ogc:BBOX></ogc:Filter><LineSymbolizer/>'
     b'</Rule></FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>', "BBOX"),
    (b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><StyledLayerDescriptor>&e;'
     b'</StyledLayerDescriptor>', "DTD"),
    (b"<StyledLayerDescriptor", "well-formed"),
    (b'<StyledLayerDescriptor xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc">'
     b'<NamedLayer><UserStyle><FeatureTypeStyle><Rule><ogc:Filter><ogc:PropertyIsEqualTo>'
     b"<ogc:PropertyName>a] or [b</ogc:PropertyName><ogc:Literal>1</ogc:Literal>"
     b"</ogc:PropertyIsEqualTo></ogc:Filter><LineSymbolizer/></Rule></FeatureTypeStyle>"
     b"</UserStyle></NamedLayer></StyledLayerDescriptor>", "cannot be used"),
    (b'<StyledLayerDescriptor xmlns="http://www.opengis.net/sld"><NamedLayer><UserStyle>'
     b'<FeatureTypeStyle><Rule><PolygonSymbolizer><Fill><CssParameter name="fill">#nothex'
     b'</CssParameter></Fill></PolygonSymbolizer></Rule></FeatureTypeStyle></UserStyle>'
     b'</NamedLayer></StyledLayerDescriptor>', "color"),
])
def test_unusable_slds_are_refused_with_a_reason(sld, words):
    with pytest.raises(InvalidParameterError) as error:
        convert_sld(sld)
    assert words.lower() in error.value.message.lower()


def test_literal_quotes_cannot_break_out_of_the_expression():
    sld = (b'<StyledLayerDescriptor xmlns="http://www.opengis.net/sld" '
           b'xmlns:ogc="http://www.opengis.net/ogc"><NamedLayer><UserStyle><FeatureTypeStyle><Rule>'
           b"<ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>name</ogc:PropertyName>"
           b"<ogc:Literal>x' or [kind] = 'y</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>"
           b"<LineSymbolizer/></Rule></FeatureTypeStyle></UserStyle></NamedLayer>"
           b"</StyledLayerDescriptor>")
    (style,) = convert_sld(sld)
    assert "([name] = 'x\\' or [kind] = \\'y')" in style.body


def test_an_sld_without_styles_is_refused():
    with pytest.raises(SldError):
        convert_sld(b'<StyledLayerDescriptor xmlns="http://www.opengis.net/sld"/>')
