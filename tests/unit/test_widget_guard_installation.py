"""The widget guards are installed by the apps' entry points, never by an import."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pytest

from mentorkit.store import SqlStore
from mentorkit.ui import guard
from mentorkit.ui.facilitator import facilitator_app
from mentorkit.ui.self_assessment import self_assessment_app

ROOT = Path(__file__).resolve().parents[2]

IMPORT_EVERY_UI_MODULE = """
import importlib, pkgutil
import ipywidgets as widgets

box_receives, widget_receives = widgets.Box.set_state, widgets.Widget._handle_msg
import mentorkit.ui
for module in pkgutil.iter_modules(mentorkit.ui.__path__):
    importlib.import_module(f"mentorkit.ui.{module.name}")
changed = [
    name
    for name, now, before in (
        ("Box.set_state", widgets.Box.set_state, box_receives),
        ("Widget._handle_msg", widgets.Widget._handle_msg, widget_receives),
    )
    if now is not before
]
print(",".join(changed) or "unchanged")
"""


def page_sends(widget: widgets.Widget, state: dict[str, Any]) -> None:
    """An "update" from the page, delivered as the kernel delivers it."""
    widget._handle_msg(
        {
            "content": {"data": {"method": "update", "state": state, "buffer_paths": []}},
            "buffers": [],
        }
    )


@pytest.mark.slow
def test_importing_every_ui_module_leaves_ipywidgets_as_it_is():
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERY_UI_MODULE],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        check=True,
    )
    assert run.stdout.strip() == "unchanged"


def test_a_worksheet_built_through_its_entry_point_refuses_children_from_the_page(
    store: SqlStore,
):
    app = self_assessment_app(store=store, environ={})
    shown = app.children
    page_sends(app, {"children": [], "box_style": "danger"})
    assert guard.widget_guards_installed()
    assert app.children == shown
    assert app.box_style == "danger"  # the rest of the update is handled as before


def test_a_facilitator_app_built_through_its_entry_point_refuses_children_from_the_page(
    store: SqlStore,
):
    app = facilitator_app("dashboard", lambda _session: widgets.HTML(), store=store, environ={})
    shown = app.children
    page_sends(app, {"children": [f"IPY_MODEL_{app.model_id}"]})
    assert app.children == shown


def test_installing_the_guards_twice_patches_once():
    guard.install_widget_guards()
    installed = widgets.Box.set_state
    guard.install_widget_guards()
    assert widgets.Box.set_state is installed
