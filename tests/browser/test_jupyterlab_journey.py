"""A participant works the worksheets in JupyterLab: each notebook says to run its cell,
the sign-in holds from one worksheet to the next within the Lab tab, and the link to the
next worksheet opens its notebook in Lab without loading Lab again."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser_helpers import (
    ROOM_LIMITS,
    start_logged,
    wait_for_http,
    wait_until_saved,
    watch_console,
)
from person import LOAD_TIMEOUT_MS, Person
from playwright.sync_api import Locator, Page, expect

from mentorkit.jupyter.lab import RESUME_ELSEWHERE
from mentorkit.models import SelfAssessment
from mentorkit.store import open_store
from mentorkit.testing import free_port, stop_process_group

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
RUN_THE_CELL = "Run the cell below (Shift+Enter) to open the worksheet."


@dataclass(frozen=True)
class Lab:
    """A running JupyterLab on a copy of the notebooks, and the demo workshop's join code."""

    base_url: str
    join_code: str
    database_url: str


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """`jupyter lab` (no token) on a copy of notebooks/ (Lab saves what it shows into the
    notebooks it opens), with a throw-away demo workshop and Lab settings of its own."""
    folder = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "notebooks", folder / "notebooks")
    database_url = f"sqlite:///{folder / 'demo.db'}"
    # No "Would you like to get notified about official Jupyter news?" over the page.
    news = folder / "settings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    env = {
        **os.environ,
        **ROOM_LIMITS,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "MENTORKIT_DB": database_url,
        "JUPYTER_CONFIG_DIR": str(folder / "config"),
        "JUPYTERLAB_SETTINGS_DIR": str(folder / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(folder / "workspaces"),
    }
    demo = subprocess.run(
        [sys.executable, "-m", "mentorkit.cli", "demo"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    join_code = re.search(r"Join code:\s+(\S+)", demo.stdout)
    assert join_code, demo.stdout
    port = free_port()
    process = start_logged(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            f"--port={port}",
            "--ip=127.0.0.1",
            "--IdentityProvider.token=",
            f"--ServerApp.root_dir={folder / 'notebooks'}",
            "--LabApp.news_url=",
            "--allow-root",
        ],
        env,
        folder / "lab.log",
    )
    try:
        base_url = f"http://127.0.0.1:{port}"
        assert wait_for_http(f"{base_url}/lab", process) == 200
        yield Lab(base_url, join_code[1], database_url)
    finally:
        stop_process_group(process)


def shown_notebook(page: Page) -> Locator:
    """The notebook in Lab's main area that is on show."""
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")


def reach(person: Person, target: Locator) -> dict[str, float]:
    """Turn the mouse wheel over the notebook until `target` is inside the notebook's part
    of the window (Lab scrolls each notebook in a box of its own); returns where it is."""
    page = person.page
    target.wait_for(state="visible", timeout=LOAD_TIMEOUT_MS)
    scroller = shown_notebook(page).locator(".jp-WindowedPanel-outer")
    for _ in range(40):
        box, area = target.bounding_box(), scroller.bounding_box()
        assert box is not None and area is not None
        if box["y"] >= area["y"] and box["y"] + box["height"] <= area["y"] + area["height"]:
            return box
        page.mouse.move(area["x"] + area["width"] * 0.9, area["y"] + area["height"] / 2)
        page.mouse.wheel(0, 120 if box["y"] > area["y"] else -120)
        target.evaluate("e => new Promise(r => requestAnimationFrame(() => r(null)))")
    raise AssertionError(f"{target} never came into the notebook's view (at {box}, view {area})")


def click(person: Person, target: Locator) -> None:
    """Bring `target` into view with the wheel and click its middle."""
    box = reach(person, target)
    person.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def type_into(person: Person, field: Locator, text: str) -> None:
    """Click into the field, type over what it holds with the keyboard, check it shows it."""
    click(person, field)
    expect(field).to_be_focused(timeout=5_000)
    person.page.keyboard.press("ControlOrMeta+A")
    person.page.keyboard.type(text, delay=10)
    expect(field).to_have_value(text, timeout=5_000)


def run_the_app_cell(person: Person) -> Locator:
    """Read the notebook's first line, click into the cell below it and press
    Shift+Enter, as it says; returns the app once it is on the page."""
    notebook = shown_notebook(person.page)
    instruction = notebook.locator(".jp-RenderedMarkdown").get_by_text(RUN_THE_CELL)
    expect(instruction).to_be_visible(timeout=LOAD_TIMEOUT_MS)
    # As a person waits for the kernel Lab says it is starting.
    kernel = person.page.get_by_role("button", name=re.compile(r"Python 3 \(ipykernel\) \| Idle"))
    expect(kernel).to_be_visible(timeout=LOAD_TIMEOUT_MS)
    click(person, notebook.locator(".jp-CodeCell .cm-content").first)
    person.press("Shift+Enter")
    app = notebook.locator(".mentorkit-app").first
    expect(app).to_be_visible(timeout=LOAD_TIMEOUT_MS)
    return app


def test_a_participant_goes_from_one_worksheet_to_the_next_in_jupyterlab(
    page: Page, person: Person, lab: Lab
) -> None:
    errors = watch_console(page)
    page.goto(f"{lab.base_url}/lab/tree/01_self_assessment.ipynb", timeout=LOAD_TIMEOUT_MS)
    page.evaluate("window.mentorkitSameLab = 'the page was not loaded again'")

    first = run_the_app_cell(person)
    type_into(person, first.get_by_label("Join code", exact=True), lab.join_code)
    type_into(person, first.get_by_label("Your name", exact=True), "Lab Reader")
    click(person, first.get_by_role("button", name="Start"))
    note = first.locator(".mentorkit-resume")
    expect(note).to_contain_text(RESUME_ELSEWHERE, timeout=LOAD_TIMEOUT_MS)
    expect(note.get_by_role("link", name="personal link")).to_have_count(0)
    type_into(
        person,
        first.get_by_label("Career goal (1–3 years)", exact=True),
        "Lead a small team within two years.",
    )
    wait_until_saved(person)
    person.shot("lab-first-worksheet")

    click(person, first.get_by_role("link", name="2. Mentor shortlist"))

    second = shown_notebook(page)
    expect(page.locator(".jp-mod-current", has_text="02_mentor_shortlist.ipynb")).to_be_visible(
        timeout=LOAD_TIMEOUT_MS
    )
    assert page.evaluate("window.mentorkitSameLab") == "the page was not loaded again"
    app = run_the_app_cell(person)
    expect(app.locator(".mentorkit-who")).to_contain_text("Lab Reader", timeout=LOAD_TIMEOUT_MS)
    expect(second.get_by_label("Resume code")).to_have_count(0)
    person.shot("lab-second-worksheet")

    store = open_store(lab.database_url)
    try:
        saved = [found.document for found in store.list(lab.join_code, kind=SelfAssessment.kind)]
    finally:
        store.close()
    assert [answer.career_goal for answer in saved] == ["Lead a small team within two years."]
    assert not [error for error in errors if "mentorkit" in error.lower()], errors
