"""The landing page view: the workshop's name is shown as text, never as HTML."""

from mentorkit.apps import APPS
from mentorkit.store import open_store
from mentorkit.ui.landing import landing_page
from mentorkit.workshops import create_workshop

HOSTILE = '<img src=x onerror="alert(1)">'


def test_the_landing_page_lists_every_app(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'x.db'}")
    create_workshop(store, "Spring cohort", description="Tuesdays & Thursdays")
    html = landing_page(store).value
    store.close()
    assert "Workshop: Spring cohort" in html
    assert "Tuesdays &amp; Thursdays" in html
    for app in APPS:
        assert app.title in html


def test_hostile_workshop_text_is_escaped(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'x.db'}")
    create_workshop(store, HOSTILE, description=HOSTILE)
    html = landing_page(store).value
    store.close()
    assert "<img" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


def test_without_a_workshop_the_page_says_to_create_it_in_the_setup_app(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'x.db'}")
    html = landing_page(store).value
    store.close()
    assert "open Workshop setup" in html and "mentorkit init" not in html
