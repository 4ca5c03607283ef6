"""`make serve` serves the landing page (the gallery, at the base URL), and a participant
can read it in a browser."""

import urllib.request

import pytest
from playwright.sync_api import Page, expect

from mentorkit.apps import APPS
from mentorkit.workshops import DEMO_NAME

pytestmark = pytest.mark.browser


def test_make_serve_answers_on_loopback_with_the_landing_page(served_demo):
    assert served_demo.base_url.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(served_demo.landing_url, timeout=120) as response:
        assert response.status == 200


def test_make_serve_prints_the_demo_codes(served_demo):
    assert len(served_demo.join_code) == 9 and served_demo.join_code[4] == "-"
    assert len(served_demo.facilitator_key) >= 32


def test_the_landing_page_shows_the_workshop_and_its_apps(page: Page, served_demo, screenshots):
    page.goto(served_demo.landing_url, timeout=120_000)
    expect(page.get_by_text(f"Workshop: {DEMO_NAME}")).to_be_visible(timeout=120_000)
    for app in APPS:
        expect(page.get_by_text(app.title, exact=False).first).to_be_visible()
    page.screenshot(path=screenshots / "landing.png", full_page=True)
    # The server's own page: no notebook source, no script, no kernel.
    assert served_demo.landing_url == f"{served_demo.base_url}/"
    assert "landing_page()" not in page.content()
    assert page.locator("script").count() == 0
