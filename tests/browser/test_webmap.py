"""The public web map as a visitor uses it, in Chromium against the live server."""

import pytest

from tests.browser.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture(scope="module")
def public(new_map_page):
    return new_map_page()


@pytest.fixture(scope="module")
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
