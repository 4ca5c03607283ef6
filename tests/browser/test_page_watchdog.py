"""No hung pages: a page that is not open in time says it is still opening (and offers
Reload); a page whose cell timed out or failed on the server ends in a plain message with a
working Reload button, never a spinner for ever; a normal app page never shows either.
(test_page_opening.py: the opening panel, and pages the server cannot open.)

Each server here runs `mentorkit serve`'s own command, environment and voila.json
(`mentorkit.cli.serve_command` and `serve_env`), pointed at a folder of notebooks made
slow, stuck or broken on purpose:

* **watched**: a page timeout of 12 s (`--page-timeout`) and no cell timeout, serving a
  notebook that waits while a flag file exists, and a copy of a real app;
* **cell timeout**: `VoilaExecutor.timeout` of 3 s, serving a notebook that sleeps longer
  and one whose cell raises.

The servers and notebooks are broken from the outside, as no person could; the one thing a
person does here, clicking Reload, goes through the person-like driver.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from browser_helpers import LOAD_TIMEOUT_MS, wait_for_http, write_notebook
from person import Person
from playwright.sync_api import Browser, Page, expect

from mentorkit.cli import NOTEBOOKS_DIR, ROOT, serve_command, serve_env
from mentorkit.testing import ServedProcess, free_port

pytestmark = pytest.mark.browser

PAGE_TIMEOUT_S = 12
CELL_TIMEOUT_S = 3
SLOW_MESSAGE = "Your worksheet is still opening."
TIMEOUT_MESSAGE = "This page is taking too long to open."
ERROR_MESSAGE = "This page could not be opened."
#: What Voilà itself puts on such a page; none of it may show.
DEVELOPER_TEXT = ["Traceback", "RuntimeError", "VoilaExecutor", "timed out", "show_tracebacks"]
REAL_APP = "01_self_assessment.ipynb"

#: Runs before the page's own scripts: records each problem the page watch shows, with
#: when it first showed (milliseconds since navigation start).
RECORD_PROBLEMS = """
window.__problems = [];
new MutationObserver(() => {
  const box = document.getElementById("mentorkit-page-problem");
  const problem = box && box.getAttribute("data-problem");
  if (problem && !window.__problems.some((seen) => seen.problem === problem)) {
    window.__problems.push({problem, at: performance.now()});
  }
}).observe(document, {childList: true, subtree: true, attributes: true});
"""


@dataclass
class Served(ServedProcess):
    """A server of this module, serving `folder`."""

    folder: Path = field(kw_only=True)


def start(folder: Path, database_url: str, *extra: str, page_timeout: int | None = None) -> Served:
    """`mentorkit serve`'s Voilà command on `folder`, with its environment, from ROOT (so
    that voila.json applies), plus `extra` options; waits until every pool is filled."""
    port = free_port()
    command = [
        str(folder) if arg == str(NOTEBOOKS_DIR) else arg
        for arg in serve_command("127.0.0.1", port, page_timeout=page_timeout)
    ]
    assert str(folder) in command, command
    log = folder / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [*command, *extra],
            cwd=ROOT,
            env=serve_env(database_url),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Served(f"http://127.0.0.1:{port}", process, log, folder=folder)


def wait_until_ready(served: Served, notebooks: int, timeout: float = 180) -> None:
    """Wait until the server answers and runs a pre-heated kernel for each notebook."""
    wait_for_http(f"{served.base_url}/voila/static/voila.js", served.process, timeout)
    deadline = time.monotonic() + timeout
    while len(served.kernels()) < notebooks:
        assert time.monotonic() < deadline, served.log.read_text()[-3000:]
        time.sleep(0.5)


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, Served]]:
    """Both servers, started together (each needs some seconds to fill its pools)."""
    root = tmp_path_factory.mktemp("watchdog")
    database_url = f"sqlite:///{root / 'demo.db'}"
    subprocess.run(
        [sys.executable, "-m", "mentorkit.cli", "--db", database_url, "demo"],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    watched_folder = root / "watched"
    watched_folder.mkdir()
    flag = watched_folder / "slow.flag"
    flag.touch()
    write_notebook(
        watched_folder / "slow.ipynb",
        "import pathlib, time\n"
        f"while pathlib.Path({str(flag)!r}).exists():  # slow until the test removes it\n"
        "    time.sleep(0.2)",
        'import ipywidgets\nipywidgets.Button(description="Opened at last")',
    )
    shutil.copy(NOTEBOOKS_DIR / REAL_APP, watched_folder / REAL_APP)
    stuck_folder = root / "stuck"
    stuck_folder.mkdir()
    write_notebook(
        stuck_folder / "stuck.ipynb",
        "import time\ntime.sleep(120)",
        'import ipywidgets\nipywidgets.Button(description="Never shown")',
    )
    write_notebook(
        stuck_folder / "broken.ipynb",
        'raise RuntimeError("broken on purpose")',
        'import ipywidgets\nipywidgets.Button(description="Never shown")',
    )
    watched = start(watched_folder, database_url, page_timeout=PAGE_TIMEOUT_S)
    stuck = start(stuck_folder, database_url, f"--VoilaExecutor.timeout={CELL_TIMEOUT_S}")
    try:
        wait_until_ready(watched, 2)
        wait_until_ready(stuck, 2)
        yield watched, stuck
    finally:
        watched.stop()
        stuck.stop()


def new_page(browser: Browser) -> Page:
    context = browser.new_context()
    context.add_init_script(RECORD_PROBLEMS)
    return context.new_page()


def problems(page: Page) -> list[dict]:
    return page.evaluate("window.__problems")


def kernel_id(page: Page) -> str:
    return page.evaluate(
        "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
    )


def test_a_normal_app_page_never_shows_the_message(browser: Browser, servers):
    watched, _ = servers
    page = new_page(browser)
    try:
        page.goto(watched.url(REAL_APP), timeout=LOAD_TIMEOUT_MS)
        expect(page.locator(".mentorkit-app")).to_be_visible(timeout=PAGE_TIMEOUT_S * 1000)
        # Past the page timeout, the watch has been disarmed, not merely not yet fired.
        page.wait_for_function(
            f"performance.now() > {(PAGE_TIMEOUT_S + 2) * 1000}", timeout=LOAD_TIMEOUT_MS
        )
        assert problems(page) == []
        expect(page.get_by_role("alert")).to_have_count(0)
        expect(page.locator(".mentorkit-app")).to_be_visible()
        expect(page.locator("#mentorkit-opening")).to_have_count(0)
    finally:
        page.context.close()


def test_a_page_not_open_in_time_says_so_and_reload_opens_it_once_it_can(
    browser: Browser, servers, screenshots
):
    watched, _ = servers
    page = new_page(browser)
    try:
        page.goto(watched.url("slow.ipynb"), wait_until="commit", timeout=LOAD_TIMEOUT_MS)
        message = page.locator("#mentorkit-page-problem")
        expect(message).to_contain_text(SLOW_MESSAGE, timeout=(PAGE_TIMEOUT_S + 30) * 1000)
        expect(message).to_contain_text("keep this page open")
        shown = problems(page)
        assert [seen["problem"] for seen in shown] == ["slow"], shown
        assert shown[0]["at"] >= PAGE_TIMEOUT_S * 1000 - 50, shown  # not before its time
        # The message replaces the page: no spinner left turning.
        expect(page.locator("#loading")).to_be_hidden()
        expect(page.get_by_text("Opened at last")).to_have_count(0)
        page.screenshot(path=screenshots / "page-too-slow.png")
        stuck_kernel = kernel_id(page)
        assert stuck_kernel in watched.kernels()

        # Reloading (a person who does not want to wait) asks again, and the stuck page's
        # kernel is shut down; the notebook is fast again right after.
        Person(page).click(page.get_by_role("button", name="Reload"))
        (watched.folder / "slow.flag").unlink()
        expect(page.get_by_role("button", name="Opened at last")).to_be_visible(
            timeout=LOAD_TIMEOUT_MS
        )
        expect(page.get_by_role("alert")).to_have_count(0)
        assert problems(page) == []
        # The stuck page said goodbye for its kernel, although Voilà's scripts never ran.
        deadline = time.monotonic() + 30
        while stuck_kernel in watched.kernels():
            assert time.monotonic() < deadline, "the stuck page's kernel is still running"
            time.sleep(0.5)
    finally:
        page.context.close()


def test_a_cell_timing_out_on_the_server_ends_the_page_in_the_same_message(
    browser: Browser, servers
):
    _, stuck = servers
    page = new_page(browser)
    try:
        page.goto(stuck.url("stuck.ipynb"), wait_until="commit", timeout=LOAD_TIMEOUT_MS)
        alert = page.get_by_role("alert")
        # Well before the page timeout (60 s, voila.json's): the server said so.
        expect(alert).to_contain_text(TIMEOUT_MESSAGE, timeout=40_000)
        assert [seen["problem"] for seen in problems(page)] == ["timeout"]
        expect(alert.get_by_role("button", name="Reload")).to_be_visible()
        text = page.locator("body").inner_text()
        for developer_text in DEVELOPER_TEXT:
            assert developer_text not in text, text
        expect(page.get_by_text("Never shown")).to_have_count(0)
    finally:
        page.context.close()


def test_a_cell_failing_on_the_server_ends_the_page_in_a_plain_message(browser: Browser, servers):
    _, stuck = servers
    page = new_page(browser)
    try:
        page.goto(stuck.url("broken.ipynb"), wait_until="commit", timeout=LOAD_TIMEOUT_MS)
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text(ERROR_MESSAGE, timeout=40_000)
        expect(alert).to_contain_text("tell your facilitator")
        assert [seen["problem"] for seen in problems(page)] == ["error"]
        text = page.locator("body").inner_text()
        for developer_text in DEVELOPER_TEXT:
            assert developer_text not in text, text
        # Reload asks again (and fails again: the notebook is broken, not the page).
        Person(page).click(page.get_by_role("button", name="Reload"))
        expect(page.get_by_role("alert")).to_contain_text(ERROR_MESSAGE, timeout=40_000)
    finally:
        page.context.close()


def test_serve_passes_the_page_timeout_and_cull_time_to_voila():
    command = serve_command("127.0.0.1", 8866, page_timeout=7, cull_idle=8)
    assert "--VoilaConfiguration.resources=mentorkit_page_timeout=7" in command
    assert "--MappingKernelManager.cull_idle_timeout=8" in command
    assert "--MappingKernelManager.cull_interval=2" in command
    plain = serve_command("127.0.0.1", 8866)
    assert not [arg for arg in plain if "cull" in arg or "page_timeout" in arg], plain
