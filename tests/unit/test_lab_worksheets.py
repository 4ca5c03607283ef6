"""Worksheets opened as notebooks in JupyterLab: the first line says to run the cell, the
sign-in kept for the Lab tab signs the next worksheet in, links stay plain notebook names."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import ipywidgets as widgets
import pytest

from mentorkit.apps import APPS
from mentorkit.identity import reset_resume_code, sign_in
from mentorkit.jupyter.lab import (
    LAB_ONLY_TAG,
    RESUME_ELSEWHERE,
    in_jupyterlab,
    lab_links_html,
)
from mentorkit.store import Store
from mentorkit.testing import find_widget, widget_tree
from mentorkit.ui.shell import WorksheetApp, worksheet_app
from mentorkit.workshops import create_workshop

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
#: What JupyterLab's server puts in the environment of a notebook's kernel.
LAB = {"JPY_SESSION_NAME": "/home/ada/notebooks/02_mentor_shortlist.ipynb"}


def app_notebooks() -> Iterator[Path]:
    yield NOTEBOOKS / "index.ipynb"
    yield NOTEBOOKS / "journey.ipynb"
    for app in APPS:
        yield NOTEBOOKS / app.notebook


def page_html(app: widgets.Widget) -> str:
    return "\n".join(w.value for w in widget_tree(app) if isinstance(w, widgets.HTML))


def kept_boxes(app: WorksheetApp) -> list[widgets.Text]:
    """The hidden boxes the Lab page script hands the tab's kept resume code to."""
    return [w for w in widget_tree(app) if "mentorkit-lab-kept" in w._dom_classes]


def kept_box(app: WorksheetApp) -> widgets.Text:
    (box,) = kept_boxes(app)
    return box


def sign_in_by_form(app: WorksheetApp, join_code: str, name: str) -> None:
    find_widget(app, widgets.Text, "Join code").value = join_code
    find_widget(app, widgets.Text, "Your name").value = name
    find_widget(app, widgets.Button, "Start").click()


def probe(session: object) -> widgets.Widget:
    return widgets.Label("the worksheet")


@pytest.mark.parametrize("notebook", list(app_notebooks()), ids=lambda path: path.stem)
def test_every_app_notebook_opens_with_one_line_saying_to_run_the_cell_below(notebook: Path):
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    first, second = cells[0], cells[1]
    text = "".join(first["source"])
    assert first["cell_type"] == "markdown"
    assert LAB_ONLY_TAG in first["metadata"]["tags"]
    assert re.fullmatch(r"Run the cell below \(Shift\+Enter\) to open [^\n]+\.", text), text
    assert second["cell_type"] == "code"
    assert len(cells) == 2


def test_only_a_kernel_jupyterlab_started_for_a_notebook_counts_as_lab():
    assert in_jupyterlab(LAB)
    assert not in_jupyterlab({**LAB, "VOILA_BASE_URL": "/", "VOILA_PREHEAT": "False"})
    assert not in_jupyterlab({})  # nbval, a script


def test_in_lab_the_code_kept_for_the_tab_signs_the_next_worksheet_in(store: Store):
    code = create_workshop(store, "W").workshop.code
    first = sign_in(store, code, "Ada Quill")
    app = worksheet_app("02_mentor_shortlist", probe, store=store, environ=LAB)
    assert app.session is None
    kept_box(app).value = first.new_resume_code
    assert app.session is not None
    assert app.session.participant.id == first.participant.id
    # The browser keeps the sign-in: links between worksheets are plain notebook names.
    assert app.session.link("03_expectations.ipynb") == "03_expectations.ipynb"


def test_in_lab_a_new_code_comes_with_how_to_resume_elsewhere_not_a_personal_link(
    store: Store,
):
    code = create_workshop(store, "W").workshop.code
    app = worksheet_app("01_self_assessment", probe, store=store, environ=LAB)
    sign_in_by_form(app, code, "Ada Quill")
    html = page_html(app)
    assert app.session is not None and app.session.resume_code in html
    assert "personal link" not in html
    assert "?resume=" not in html
    assert "Been here before?" in html
    assert 'class="mentorkit-remember"' in html  # the Lab page script keeps it for the tab
    assert RESUME_ELSEWHERE.split(".")[0] in html


def test_outside_lab_the_personal_link_is_still_offered(store: Store):
    code = create_workshop(store, "W").workshop.code
    app = worksheet_app("01_self_assessment", probe, store=store, environ={})
    sign_in_by_form(app, code, "Ada Quill")
    assert "personal link" in page_html(app)
    assert not [
        w for w in widget_tree(app) if "mentorkit-lab-kept" in getattr(w, "_dom_classes", ())
    ]


def test_a_kept_code_that_no_longer_works_leaves_the_form_and_says_so(store: Store):
    code = create_workshop(store, "W").workshop.code
    first = sign_in(store, code, "Ada Quill")
    reset_resume_code(store, code, first.participant.id)
    app = worksheet_app("01_self_assessment", probe, store=store, environ=LAB)
    kept_box(app).value = first.new_resume_code
    assert app.session is None
    assert "no longer works" in app.notice.value
    assert 'class="mentorkit-forget"' in page_html(app)


def test_a_kept_code_arriving_after_someone_signed_in_changes_nobody(store: Store):
    code = create_workshop(store, "W").workshop.code
    ada = sign_in(store, code, "Ada Quill")
    app = worksheet_app("01_self_assessment", probe, store=store, environ=LAB)
    sign_in_by_form(app, code, "Bea Stone")
    kept_box(app).value = ada.new_resume_code
    assert app.session is not None and app.session.participant.name == "Bea Stone"


def test_the_hidden_lab_links_name_each_worksheet_as_its_links_do_and_escape_them():
    html = lab_links_html(["02_mentor_shortlist.ipynb", 'x"><img src=x>.ipynb'])
    assert (
        '<a href="02_mentor_shortlist.ipynb" data-mentorkit-lab-link="02_mentor_shortlist.ipynb">'
        in html
    )
    assert "<img" not in html
    assert html.startswith('<div class="mentorkit-lab-links" hidden>')
