"""No page is ever blank: from its first byte a page shows the workshop's name, "Opening your
worksheet…" and the seconds waited; a page that is slow but on its way says so and opens by
itself; a page the server cannot open (no kernel can be started) says so in plain words and
tries again by itself until it opens.

The server runs `mentorkit serve`'s own command, environment and voila.json
(`mentorkit.cli.serve_command`, `serve_env`, the workshop's name read as `mentorkit serve`
reads it), with a page timeout of 8 s, on a folder of notebooks:

* **fast.ipynb**: a button;
* **late.ipynb**: its first cell waits while a flag file exists, as a kernel busy with a
  crowd would;
* **flaky.ipynb**: its kernel is started by a command (a kernel spec of this test) that the
  test swaps: missing (Voilà answers 500), one that exits at once (the kernel dies before
  it answers: Voilà ends the page early), then a real kernel.

The server is slowed and broken from the outside, as no person could; the person here only
looks, and waits.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest
from browser_helpers import (
    DESKTOP,
    LOAD_TIMEOUT_MS,
    PHONE,
    start_logged,
    wait_for_http,
    write_notebook,
)
from playwright.sync_api import Browser, Page, Response, Route, expect

from mentorkit.cli import NOTEBOOKS_DIR, ROOT, serve_command, serve_env, served_workshop_name
from mentorkit.store import open_store
from mentorkit.testing import ServedProcess, free_port

pytestmark = pytest.mark.browser

PAGE_TIMEOUT_S = 8
#: Markup on purpose: it must show as text.
WORKSHOP = "Spring <b>mentoring</b> & co"
OPENING = "Opening your worksheet…"
STILL_OPENING = "Your worksheet is still opening."
BUSY = "The server is busy and could not open your worksheet yet."
#: The page's stylesheet and script that are big and come from the server: held back to
#: play a server too busy to send them.
HEAVY = ["**/voila-style.js*", "**/static/index.css*"]

#: Resolves once the browser draws a frame ("painted"), or says it could not ("blocked").
#: A page whose <head> waits for a stylesheet or a script draws nothing at all.
PAINTED = """() => new Promise((done) => {
  requestAnimationFrame(() => done("painted"));
  setTimeout(() => done("blocked"), 3000);
})"""


@dataclass
class Served(ServedProcess):
    """The server of this module and its folder."""

    folder: Path = field(kw_only=True)

    def kernel_command(self, kind: str) -> None:
        """What starts flaky.ipynb's kernel from now on: "missing" (no such command),
        "exits" (a command that exits at once) or "works" (a real kernel)."""
        command = self.folder / "start-kernel"
        if kind == "missing":
            command.unlink(missing_ok=True)
            return
        kernel = f'exec {sys.executable} -m ipykernel_launcher -f "$1"'
        body = "exit 1" if kind == "exits" else kernel
        draft = self.folder / "start-kernel.draft"
        draft.write_text(f"#!/bin/sh\n{body}\n")
        draft.chmod(0o755)
        os.replace(draft, command)


def late_flag(served: Served) -> Path:
    return served.folder / "late.flag"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("opening")
    database_url = f"sqlite:///{root / 'opening.db'}"
    subprocess.run(
        [sys.executable, "-m", "mentorkit.cli", "--db", database_url, "init", "--name", WORKSHOP],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    store = open_store(database_url)
    try:
        workshop_name = served_workshop_name(store)
    finally:
        store.close()
    folder = root / "pages"
    folder.mkdir()
    flag = folder / "late.flag"
    flag.touch()
    button = 'import ipywidgets\nipywidgets.Button(description="{}")'.format
    write_notebook(folder / "fast.ipynb", button("Open"))
    write_notebook(
        folder / "late.ipynb",
        "import pathlib, time\n"
        f"while pathlib.Path({str(flag)!r}).exists():  # busy until the test removes it\n"
        "    time.sleep(0.2)",
        button("Opened late"),
    )
    write_notebook(folder / "flaky.ipynb", button("Opened at last"))
    flaky = nbformat.read(folder / "flaky.ipynb", as_version=4)
    flaky.metadata["kernelspec"] = {"display_name": "Flaky", "language": "python", "name": "flaky"}
    nbformat.write(flaky, folder / "flaky.ipynb")
    spec = root / "jupyter" / "kernels" / "flaky"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [str(folder / "start-kernel"), "{connection_file}"],
                "display_name": "Flaky",
                "language": "python",
            }
        )
    )

    port = free_port()
    command = [
        str(folder) if arg == str(NOTEBOOKS_DIR) else arg
        for arg in serve_command(
            "127.0.0.1", port, page_timeout=PAGE_TIMEOUT_S, workshop_name=workshop_name
        )
    ]
    env = serve_env(database_url)
    env["JUPYTER_PATH"] = os.pathsep.join([str(root / "jupyter"), env["JUPYTER_PATH"]])
    log = root / "server.log"
    process = start_logged(command, env, log)
    server = Served(f"http://127.0.0.1:{port}", process, log, folder=folder)
    try:
        wait_for_http(f"{server.base_url}/voila/static/voila.js", process, 180)
        deadline = time.monotonic() + 180
        while len(server.kernels()) < 2:  # fast's and late's pool kernels (flaky has none)
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.5)
        yield server
    finally:
        server.kernels()  # note every kernel still running, so that stop() ends it
        server.stop()
        shutil.rmtree(root / "jupyter", ignore_errors=True)


def documents(page: Page, url: str) -> list[int]:
    """Records the status of every answer the page gets for `url` (each load of it)."""
    statuses: list[int] = []

    def seen(response: Response) -> None:
        if response.url == url and response.request.resource_type == "document":
            statuses.append(response.status)

    page.on("response", seen)
    return statuses


def seconds_shown(page: Page) -> int:
    return int(page.locator("#mentorkit-opening-elapsed").inner_text().removesuffix(" s"))


def test_a_page_shows_the_workshop_and_the_time_waited_from_its_first_byte(
    browser: Browser, served: Served, screenshots: Path
):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    for pattern in HEAVY:
        page.route(pattern, hold)
    try:
        page.goto(served.url("fast.ipynb"), wait_until="commit", timeout=LOAD_TIMEOUT_MS)
        opening = page.get_by_role("status")
        expect(opening).to_contain_text(OPENING, timeout=LOAD_TIMEOUT_MS)
        expect(opening).to_contain_text(WORKSHOP)  # the name as text, not as markup
        expect(opening.locator("b")).to_have_count(0)
        # The server is too busy to send the page's big stylesheet and script: the panel
        # is drawn all the same (nothing in <head> waits for them).
        deadline = time.monotonic() + 30
        while not held:
            assert time.monotonic() < deadline, "the page never asked for its script or styles"
            page.wait_for_timeout(100)
        assert page.evaluate(PAINTED) == "painted"
        # The time ticks.
        first = seconds_shown(page)
        page.wait_for_function(
            f"parseInt(document.getElementById('mentorkit-opening-elapsed').textContent) > {first}",
            polling=200,
            timeout=10_000,
        )
        # Readable on a phone and on a laptop: inside the window, nothing cut off.
        box = opening.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        page.screenshot(path=screenshots / "page-opening-phone.png")
        page.set_viewport_size(DESKTOP)
        assert page.evaluate(PAINTED) == "painted"
        page.screenshot(path=screenshots / "page-opening-desktop.png")
        assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]

        for route in held:  # the server catches up
            route.continue_()
        page.unroute_all()
        expect(page.get_by_role("button", name="Open")).to_be_visible(timeout=LOAD_TIMEOUT_MS)
        expect(page.locator("#mentorkit-opening")).to_have_count(0)
        expect(page.get_by_role("alert")).to_have_count(0)
    finally:
        context.close()


def test_a_slow_page_says_it_is_still_opening_and_opens_by_itself(
    browser: Browser, served: Served, screenshots: Path
):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    loads = documents(page, served.url("late.ipynb"))
    try:
        page.goto(served.url("late.ipynb"), wait_until="commit", timeout=LOAD_TIMEOUT_MS)
        expect(page.get_by_role("status")).to_contain_text(OPENING, timeout=LOAD_TIMEOUT_MS)
        page.wait_for_function(  # the kernel is busy: the page waits, and the time ticks
            "parseInt(document.getElementById('mentorkit-opening-elapsed').textContent) >= 2",
            polling=200,
            timeout=LOAD_TIMEOUT_MS,
        )
        still = page.locator("#mentorkit-page-problem")
        expect(still).to_contain_text(STILL_OPENING, timeout=(PAGE_TIMEOUT_S + 30) * 1000)
        expect(still).to_have_attribute("role", "status")  # news, not an alarm
        expect(still).to_contain_text("keep this page open")
        expect(still.get_by_role("button", name="Reload")).to_be_visible()
        expect(page.get_by_role("alert")).to_have_count(0)
        assert page.evaluate("performance.now()") >= PAGE_TIMEOUT_S * 1000
        page.screenshot(path=screenshots / "page-still-opening-phone.png")

        late_flag(served).unlink()  # the kernel gets to the page's widgets at last
        expect(page.get_by_role("button", name="Opened late")).to_be_visible(
            timeout=LOAD_TIMEOUT_MS
        )
        expect(still).to_have_count(0)
        expect(page.locator("#mentorkit-opening")).to_have_count(0)
        assert loads == [200], f"the page was loaded again: {loads}"
    finally:
        context.close()


def test_a_page_that_cannot_get_a_kernel_says_so_and_opens_by_itself_once_one_starts(
    browser: Browser, served: Served, screenshots: Path
):
    url = served.url("flaky.ipynb")
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    loads = documents(page, url)
    served.kernel_command("missing")
    try:
        # No kernel can be started at all: Voilà answers with its error page.
        page.goto(url, wait_until="commit", timeout=LOAD_TIMEOUT_MS)
        busy = page.get_by_role("alert")
        expect(busy).to_contain_text(BUSY, timeout=LOAD_TIMEOUT_MS)
        expect(busy).to_contain_text("Trying again in")
        expect(busy.get_by_role("button", name="Try now")).to_be_focused()
        assert loads == [500], loads
        text = page.locator("body").inner_text()
        for developer_text in ["Internal Server Error", "Traceback", "500"]:
            assert developer_text not in text, text
        page.screenshot(path=screenshots / "page-server-busy-phone.png")
        first = int(re.search(r"Trying again in (\d+) s", busy.inner_text()).group(1))
        assert 0 < first <= 5, first
        page.wait_for_function(
            "/Trying again in (\\d+) s/.exec(document.body.innerText) &&"
            f" +/Trying again in (\\d+) s/.exec(document.body.innerText)[1] < {first}",
            polling=200,
            timeout=10_000,
        )

        # Now the kernel starts but dies at once: Voilà ends the page before its cells.
        served.kernel_command("exits")
        deadline = time.monotonic() + 60
        while len(loads) < 2:  # the page loads itself again
            assert time.monotonic() < deadline, "the page did not try again by itself"
            page.wait_for_timeout(200)
        expect(page.get_by_role("alert")).to_contain_text(BUSY, timeout=LOAD_TIMEOUT_MS)
        second = int(re.search(r"Trying again in (\d+) s", busy.inner_text()).group(1))
        assert first < second <= 10, (first, second)  # it waits longer each time
        assert loads == [500, 200], loads

        # Kernels start again: the page opens without anyone touching it.
        served.kernel_command("works")
        expect(page.get_by_role("button", name="Opened at last")).to_be_visible(
            timeout=LOAD_TIMEOUT_MS
        )
        expect(page.get_by_role("alert")).to_have_count(0)
        expect(page.locator("#mentorkit-opening")).to_have_count(0)
        assert loads == [500, 200, 200], loads
        kept = page.evaluate("Object.keys(sessionStorage)")
        assert not [key for key in kept if key.startswith("mentorkit-retry")], kept
    finally:
        served.kernel_command("works")
        context.close()
