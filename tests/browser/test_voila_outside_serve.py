"""`voila notebooks/` and `voila notebooks/<worksheet>.ipynb`, started in the repository
without `mentorkit serve` (no JUPYTER_PATH): the apps render with mentorkit's template,
a single worksheet is served at the base URL, and a link to another worksheet says, in
one sentence, how to serve them all."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser_helpers import (
    ROOM_LIMITS,
    sign_in_first_time,
    start_logged,
    still_signed_in,
    wait_for_http,
)
from person import LOAD_TIMEOUT_MS, Person
from playwright.sync_api import Page, expect

from mentorkit.testing import free_port, stop_process_group

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Served:
    base_url: str
    join_code: str


def voila(folder: Path, target: str) -> Iterator[Served]:
    """`voila <target>` started in the repository, as a person would, with a demo
    workshop and no JUPYTER_PATH."""
    env = {key: value for key, value in os.environ.items() if key != "JUPYTER_PATH"}
    env.update(ROOM_LIMITS)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env["MENTORKIT_DB"] = f"sqlite:///{folder / 'demo.db'}"
    demo = subprocess.run(
        [sys.executable, "-m", "mentorkit.cli", "demo"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    join_code = re.search(r"Join code:\s+(\S+)", demo.stdout)
    assert join_code, demo.stdout
    port = free_port()
    process = start_logged(
        [sys.executable, "-m", "voila", target, "--no-browser", f"--port={port}"],
        env,
        folder / "voila.log",
    )
    try:
        base_url = f"http://127.0.0.1:{port}"
        wait_for_http(f"{base_url}/voila/static/voila.js", process)
        yield Served(base_url, join_code[1])
    finally:
        stop_process_group(process)


@pytest.fixture(scope="module")
def one_worksheet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from voila(tmp_path_factory.mktemp("single"), "notebooks/01_self_assessment.ipynb")


@pytest.fixture(scope="module")
def every_worksheet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from voila(tmp_path_factory.mktemp("folder"), "notebooks/")


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def fetch(url: str) -> tuple[int, str, str]:
    """Status, body and Location of a GET, redirects not followed."""
    opener = urllib.request.build_opener(NoRedirects)
    try:
        with opener.open(url, timeout=LOAD_TIMEOUT_MS / 1000) as response:
            return response.status, response.read().decode(), ""
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), exc.headers.get("Location", "")


def assert_app_page(body: str) -> None:
    """mentorkit's page (its opening panel), the app's widget rendered, no cell failed,
    and no line meant for notebook readers."""
    assert 'id="mentorkit-opening"' in body
    assert "application/vnd.jupyter.widget-view+json" in body
    assert "mentorkitPage.failed(" not in body
    assert "Run the cell below" not in body


def test_a_single_worksheet_is_served_at_the_base_url_with_mentorkits_page(one_worksheet):
    status, body, _ = fetch(f"{one_worksheet.base_url}/")
    assert status == 200
    assert_app_page(body)


def test_a_single_worksheet_sends_its_own_name_and_query_to_the_base_url(one_worksheet):
    status, _, location = fetch(f"{one_worksheet.base_url}/01_self_assessment.ipynb?resume=ABCD")
    assert (status, location) == (302, "/?resume=ABCD")


def test_another_worksheet_says_in_one_sentence_how_to_serve_every_worksheet(one_worksheet):
    status, body, _ = fetch(f"{one_worksheet.base_url}/02_mentor_shortlist.ipynb")
    assert status == 404
    assert "This server shows only 01_self_assessment.ipynb" in body
    assert "voila notebooks/" in body


def test_a_single_worksheet_signs_in_on_its_page_and_keeps_the_sign_in_on_reload(
    page: Page, person: Person, one_worksheet: Served
):
    page.goto(f"{one_worksheet.base_url}/", timeout=LOAD_TIMEOUT_MS)
    sign_in_first_time(person, one_worksheet.join_code, "Solo Reader")
    expect(person.field("Career goal (1–3 years)")).to_be_visible(timeout=LOAD_TIMEOUT_MS)
    person.shot("single-worksheet-signed-in")
    person.reload("after signing in")
    still_signed_in(person)
    expect(page.locator(".mentorkit-who")).to_contain_text("Solo Reader")


def test_every_worksheet_is_served_from_the_folder_with_mentorkits_page(every_worksheet):
    status, body, _ = fetch(f"{every_worksheet.base_url}/")
    assert status == 200
    assert "Workshop:" in body  # the gallery
    for notebook in ("01_self_assessment.ipynb", "journey.ipynb"):
        status, body, _ = fetch(f"{every_worksheet.base_url}/voila/render/{notebook}")
        assert status == 200, notebook
        assert_app_page(body)
