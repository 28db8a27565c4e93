"""Chromium (Debian's, never a downloaded one) driven by Playwright against the live server.

One browser for the session, a fresh context per page. Every page records console errors,
failed requests and requests to any host but the live server, and the tests assert those
lists stay empty.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from the
# same thread (fixtures) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}


@dataclass
class MapPage:
    """A page of the web map with what went wrong while it was open."""

    page: object
    host: str
    console_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)

    def watch(self) -> MapPage:
        self.page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        self.page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.url} {r.failure}"))
        self.page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.url} {r.status}"))
        self.page.on("request", lambda r: self._check_host(r.url))
        return self

    def _check_host(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != self.host:
            self.foreign.append(url)

    def open(self, base_url: str, path: str = "/map/") -> MapPage:
        self.page.goto(base_url + path)
        self.wait_for_render()
        return self

    def wait_for_render(self) -> None:
        """The map's first complete render, and the layer tree from the catalog."""
        self.page.wait_for_function("window.__firstRender !== undefined", timeout=30_000)
        self.page.locator(".tree .kind, .tree .empty").first.wait_for(state="attached")

    def wait_for_tiles(self) -> None:
        """Wait until the map has drawn everything it asked for since the last change."""
        self.page.evaluate("""() => new Promise((resolve) => {
            const map = window.__webmap.map;
            map.once('rendercomplete', () => resolve());  // the event itself does not serialise
            map.render();
        })""")

    def log_in(self, username: str, password: str) -> None:
        self.page.click("button.login")
        self.page.fill("dialog input[name=username]", username)
        self.page.fill("dialog input[name=password]", password)
        with self.page.expect_navigation():
            self.page.click("dialog button[type=submit]")
        self.wait_for_render()

    def click_map_at(self, lon: float, lat: float) -> None:
        """Click the map where CGCS2000 ``lon``, ``lat`` is shown."""
        x, y = self.page.evaluate(
            """([lon, lat]) => {
                const webmap = window.__webmap;
                return webmap.map.getPixelFromCoordinate(webmap.fromLonLat([lon, lat]));
            }""", [lon, lat])
        box = self.page.locator("#map").bounding_box()
        self.page.mouse.click(box["x"] + x, box["y"] + y)

    def assert_clean(self) -> None:
        assert self.console_errors == []
        assert self.failed == []
        assert self.foreign == []


@pytest.fixture(scope="session")
def browser(django_db_setup):
    from django.db import connections
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: ./platform test installs Debian's chromium")
    snapshots = {
        c.alias: c._test_serialized_contents
        for c in connections.all() if hasattr(c, "_test_serialized_contents")
    }
    with sync_playwright() as playwright:
        # While Playwright's sync API runs its event loop on this thread, Django's connection
        # handler (an asgiref Local) hands out fresh connection objects. Give them the demo
        # snapshot that serialized rollback puts back after each live-server test.
        for alias, snapshot in snapshots.items():
            connections[alias]._test_serialized_contents = snapshot
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_map_page(django_db_setup, browser, live_server):
    """Opens /map/ (or ``path``) in a fresh browser context: ``new_map_page(viewport=PHONE)``.

    Pages live for one test: a live-server test ends by flushing the database (it is
    transactional), so a page kept across tests would see the catalog vanish under it.
    """
    contexts = []

    def open_page(path: str = "/map/", viewport: dict = DESKTOP) -> MapPage:
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        contexts.append(context)
        page = MapPage(context.new_page(), urlsplit(live_server.url).netloc).watch()
        return page.open(live_server.url, path)

    yield open_page
    for context in contexts:
        context.close()
