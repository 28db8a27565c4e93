"""The public web map as a visitor uses it, in Chromium against the live server."""

import warnings
from pathlib import Path
from urllib.parse import urljoin

import pytest
import shapely

from fixtures.demo.landmarks import ADDRESS_RENMIN_ZHONGLU_88, CITY_GOVERNMENT, EXPERIMENTAL_SCHOOL
from geoshare import services
from services.ows.dispatch import registered
from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser


def needs(service: str):
    """Skip where ``service`` (an OWS name or a service key) is not installed in this checkout."""
    present = service in registered() or service in {entry.key for entry in services.entries()}
    return pytest.mark.skipif(not present, reason=f"{service} is not installed")


@pytest.fixture
def public(new_map_page):
    return new_map_page()


@pytest.fixture
def phone(new_map_page):
    return new_map_page(viewport=PHONE)


def test_the_page_loads_with_nothing_from_outside_and_no_errors(public):
    public.assert_clean()
    assert public.page.locator(".topbar h1").text_content() == "城市地图"


def test_the_phone_layout_shows_the_map_and_a_menu_that_opens(phone):
    page = phone.page
    map_box = page.locator("#map").bounding_box()
    assert map_box["width"] == pytest.approx(375, abs=1) and map_box["height"] > 600
    assert not page.locator("#panel").is_visible()  # closed on a phone until asked for
    page.click(".menu-toggle")
    panel = page.locator("#panel").bounding_box()
    assert page.locator("#panel").is_visible() and panel["width"] <= 340
    page.click("[data-tab=tools]")
    assert page.locator("text=测距离").is_visible()
    page.click(".menu-toggle")
    assert not page.locator("#panel").is_visible()
    phone.assert_clean()


def test_print_exports_png_and_pdf_and_loads_the_pdf_code_only_then(public):
    page = public.page
    fetched = []
    page.on("request", lambda r: fetched.append(r.url))
    page.click("[data-tab=tools]")
    page.fill(".tools input[type=text]", "测试专题图")
    with page.expect_download() as png:
        page.click("text=导出 PNG")
    assert png.value.suggested_filename == "测试专题图.png"
    assert Path(png.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not any("jspdf" in url for url in fetched)
    with page.expect_download() as pdf:
        page.click("text=导出 PDF")
    assert Path(pdf.value.path()).read_bytes()[:5] == b"%PDF-"
    assert any("jspdf" in url for url in fetched)
    page.click("[data-tab=layers]")
    public.assert_clean()


def test_english_is_one_click_away_and_stays_chosen(new_map_page):
    visitor = new_map_page()
    page = visitor.page
    page.click("button.language")
    page.wait_for_function("document.documentElement.lang === 'en'")
    visitor.wait_for_render()
    assert page.locator(".topbar h1").text_content() == "City map"
    page.reload()
    visitor.wait_for_render()
    assert page.locator(".topbar h1").text_content() == "City map"
    visitor.assert_clean()


def test_identify_shows_the_answered_attributes_and_never_the_hidden_ones(new_map_page):
    from django.contrib.auth.models import User

    from geoshare.access.models import LayerGrant, Profile, Role, Tier
    from tests.factories import department, vector_layer

    owner, planning = department("own_b", "测试局"), department("ghj_b", "规划测试局")
    layer = vector_layer("b_parcels", [shapely.box(120.55, 31.87, 120.552, 31.872)],
                         {"name": ["甲地块"], "owner": ["某公司"]}, tier=Tier.INTERNAL, dept=owner)
    LayerGrant.objects.create(layer=layer, department=planning, hidden_fields=["owner"])
    user = User.objects.create_user("b_planner", password="pw-browser-1")
    Profile.objects.create(user=user, department=planning, role=Role.VIEWER)

    try:
        visitor = new_map_page("/map/#map=16/120.551/31.871&proj=3857&base=none&layers=b_parcels")
        assert visitor.page.locator("[data-layer=b_parcels]").count() == 0  # the public cannot
        visitor.log_in("b_planner", "pw-browser-1")
        assert visitor.page.locator(".layer[data-layer=b_parcels] input[type=checkbox]").is_checked()
        visitor.click_map_at(120.551, 31.871)
        card = visitor.page.locator(".popup .feature[data-layer=b_parcels]")
        card.wait_for()
        text = card.inner_text()
        assert "甲地块" in text and "name" in text
        assert "owner" not in text and "某公司" not in text
    finally:
        layer.delete()  # drops its table, which the end-of-test flush would leave behind


def test_clicking_a_known_building_shows_its_attributes(new_map_page):
    lon, lat = CITY_GOVERNMENT.lnglat
    visitor = new_map_page(f"/map/#map=17/{lon}/{lat}&proj=3857&base=none&layers=buildings")
    visitor.click_map_at(lon, lat)
    card = visitor.page.locator(".popup .feature[data-layer=buildings]")
    card.wait_for()
    rows = dict(
        line.split("\t", 1) for line in card.locator("tr").all_inner_texts() if "\t" in line
    )
    assert rows["name"] == "张家港市人民政府"
    assert rows["floors"] == "12" and rows["address"] == "人民中路193号"
    assert card.locator("h3").inner_text() == "房屋建筑"
    visitor.wait_for_tiles()
    visitor.assert_clean()


def test_a_department_user_sees_more_layers_and_the_local_grid(new_map_page):
    from pyproj import Transformer

    visitor = new_map_page()
    page = visitor.page
    page.locator(".layer[data-layer=schools]").wait_for()
    assert page.locator(".layer[data-layer=land_approvals]").count() == 0
    assert page.locator(".coordinates .grid").count() == 0  # the public gets lon/lat only
    visitor.log_in("zrzy_viewer", "geoshare-demo")
    page.locator(".layer[data-layer=land_approvals]").wait_for()
    assert page.locator(".layer[data-layer=landuse] .tier").inner_text() == "政务网"
    assert "zrzy_viewer" in page.locator(".auth .user").inner_text()

    lon, lat = CITY_GOVERNMENT.lnglat
    x, y = page.evaluate(
        "([lon, lat]) => window.__webmap.map.getPixelFromCoordinate(window.__webmap.fromLonLat([lon, lat]))",
        [lon, lat])
    box = page.locator("#map").bounding_box()
    page.mouse.move(box["x"] + x, box["y"] + y)
    shown_lon, shown_lat = (float(v[:-2]) for v in page.locator(".coordinates .lonlat").inner_text().split())
    easting, northing = Transformer.from_crs(4490, 4549, always_xy=True).transform(shown_lon, shown_lat)
    grid = page.locator(".coordinates .grid").inner_text().split()
    assert grid[0] == "X" and float(grid[1]) == pytest.approx(northing, abs=0.2)
    assert grid[2] == "Y" and float(grid[3]) == pytest.approx(easting, abs=0.2)
    assert abs(shown_lon - lon) < 1e-4 and abs(shown_lat - lat) < 1e-4

    with page.expect_navigation():
        page.click(".auth button")  # log out
    visitor.wait_for_render()
    page.locator(".layer[data-layer=schools]").wait_for()
    assert page.locator(".layer[data-layer=land_approvals]").count() == 0
    visitor.assert_clean()


def test_download_the_features_inside_a_drawn_area(new_map_page):
    lon, lat = EXPERIMENTAL_SCHOOL.lnglat
    visitor = new_map_page(f"/map/#map=16/{lon}/{lat}&proj=3857&base=none&layers=schools")
    page = visitor.page
    page.click("[data-tab=tools]")
    page.click("text=画范围")
    x, y = page.evaluate(
        "([lon, lat]) => window.__webmap.map.getPixelFromCoordinate(window.__webmap.fromLonLat([lon, lat]))",
        [lon, lat])
    box = page.locator("#map").bounding_box()
    corners = [(-60, -60), (60, -60), (60, 60)]
    for dx, dy in corners:
        page.mouse.click(box["x"] + x + dx, box["y"] + y + dy)
    page.mouse.dblclick(box["x"] + x - 60, box["y"] + y + 60)
    links = page.locator(".download[data-layer=schools] a")
    assert links.all_inner_texts() == ["GeoJSON", "GeoPackage", "Shapefile", "Shapefile (GBK)"]
    collection = page.evaluate("(url) => fetch(url).then((r) => r.json())", links.first.get_attribute("href"))
    names = {f["properties"]["name"] for f in collection["features"]}
    assert "张家港市实验小学" in names
    for feature in collection["features"]:  # only what lies in the area (±60 px at zoom 16)
        f_lon, f_lat = feature["geometry"]["coordinates"]
        assert abs(f_lon - lon) < 0.0015 and abs(f_lat - lat) < 0.0015
    shapefile = page.request.get(urljoin(page.url, links.nth(2).get_attribute("href")))
    assert shapefile.ok and shapefile.body()[:2] == b"PK"
    geopackage = page.request.get(urljoin(page.url, links.nth(1).get_attribute("href")))
    assert geopackage.ok and geopackage.body()[:15] == b"SQLite format 3"
    visitor.assert_clean()


def test_a_shared_link_opens_the_same_view(new_map_page):
    visitor = new_map_page("/map/#map=15.00/120.54000/31.87000&proj=4490&base=none&layers=schools@40,no_such_layer")
    page = visitor.page
    row = page.locator(".layer[data-layer=schools]")
    assert row.locator("input[type=checkbox]").is_checked()
    assert row.locator("input[type=range]").input_value() == "40"
    page.click("[data-tab=tools]")
    assert page.locator("input[name=projection][value='EPSG:4490']").is_checked()
    assert page.evaluate("() => window.__webmap.projection") == "EPSG:4490"
    centre = page.evaluate("() => window.__webmap.getPlace().lonLat")
    assert centre == pytest.approx([120.54, 31.87], abs=1e-5)
    # The link the page keeps is the view as shown: the unknown layer is left out.
    assert page.evaluate("location.hash") == "#map=15.00/120.54000/31.87000&proj=4490&base=none&layers=schools@40"
    page.click("[data-tab=layers]")
    row.locator("button.info").click()
    record = row.locator(".layer-details a", has_text="元数据").get_attribute("href")
    assert page.request.get(urljoin(page.url, record)).ok
    urls = row.locator(".endpoint input").evaluate_all("(inputs) => inputs.map((i) => i.value)")
    assert any(u.endswith("/ogcapi/collections/schools") and u.startswith("http") for u in urls)
    assert any("SERVICE=WFS" in u for u in urls)
    visitor.wait_for_tiles()
    visitor.assert_clean()


def distinct_colours(png: bytes) -> int:
    import numpy as np
    from rasterio.errors import NotGeoreferencedWarning
    from rasterio.io import MemoryFile

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)  # a screenshot has no CRS
        with MemoryFile(png) as memory, memory.open() as image:
            pixels = image.read()[:3].reshape(3, -1).T
    return len(np.unique(pixels, axis=0))


def test_the_default_view_draws_the_emap_from_this_server(public):
    public.wait_for_tiles()
    assert distinct_colours(public.page.locator("#map").screenshot()) > 50
    assert public.page.locator(".basemap[aria-pressed=true]").inner_text() == "电子地图"
    public.assert_clean()


@needs("geocoding")
def test_search_moves_the_map_to_the_address_and_shows_its_standard_form(public):
    page = public.page
    lon, lat = ADDRESS_RENMIN_ZHONGLU_88.lnglat
    page.fill(".search input", "人民中路8")
    page.locator(".suggestions li", has_text="人民中路88号").wait_for()  # suggest while typing
    page.fill(".search input", "张家港杨舍人民中路八十八号")
    page.press(".search input", "Enter")
    address = page.locator(".popup .search-result .address")
    address.wait_for()
    assert address.inner_text() == ADDRESS_RENMIN_ZHONGLU_88.attributes["full_address"]
    page.wait_for_timeout(500)  # the 300 ms move
    centre = page.evaluate("() => window.__webmap.getPlace().lonLat")
    assert centre == pytest.approx([lon, lat], abs=2e-5)
    public.wait_for_tiles()
    public.assert_clean()
