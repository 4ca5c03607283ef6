"""Kernels of closed tabs are reclaimed, and a page whose kernel is gone says so.

The server is `mentorkit --db URL serve --port P --cull-idle 3`, exactly as a facilitator
would start it but with a culling time of seconds. A tab closed politely (the page says
goodbye: Voilà's kernel-shutdown request) gives its kernel back at once; a tab that
vanishes without a word (a browser context killed: no beforeunload, no request) has its
kernel culled once it has been gone for the culling time. Either way the server comes
back to its pre-heated pool (one kernel per notebook), which neither path touches.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from browser_helpers import LOAD_TIMEOUT_MS
from person import Person
from playwright.sync_api import Browser, BrowserContext, Page, WebSocketRoute, expect

from mentorkit.cli import NOTEBOOKS_DIR, ROOT, VOILA_CONFIG
from mentorkit.testing import (
    ServedProcess,
    free_port,
    served_pages,
)

pytestmark = pytest.mark.browser

CULL_IDLE_S = 3
#: What `mentorkit serve --cull-idle 3` gives the culler: a look every second.
CULL_INTERVAL_S = 1
#: Shutting a kernel down (a request, then a signal) and the machine being busy.
SHUTDOWN_SLACK_S = 30
VISITS = 8
#: The gallery and every app; the visits take turns among them.
APPS = served_pages()
LOST_MESSAGE = "This page lost its connection to the server."
#: The first wait before a page that never opened loads itself again (page_watch.js).
AUTOMATIC_RETRY_S = 5


def pool_size() -> int:
    """Pre-heated kernels the server keeps: voila.json's pool size for every notebook (its
    own, or the default one)."""
    config = json.loads(VOILA_CONFIG.read_text())
    settings = config["VoilaConfiguration"]
    if not settings.get("preheat_kernel"):
        return 0
    pools = config.get("VoilaKernelManager", {}).get("kernel_pools_config", {})
    default = pools.get("default", {"pool_size": settings.get("default_pool_size", 0)})
    notebooks = [
        path.relative_to(NOTEBOOKS_DIR).as_posix()
        for path in NOTEBOOKS_DIR.rglob("*.ipynb")
        if ".ipynb_checkpoints" not in path.parts
    ]
    return sum(pools.get(name, default).get("pool_size", 0) for name in notebooks)


class Served(ServedProcess):
    """The server of this module."""

    def kernel_status(self, kernel_id: str) -> int:
        """The HTTP status of the kernel's API entry: 200 while it runs, 404 once gone."""
        try:
            with urllib.request.urlopen(f"{self.base_url}/api/kernels/{kernel_id}", timeout=30):
                return 200
        except urllib.error.HTTPError as exc:
            return exc.code

    def culled(self) -> str:
        """The server's culling lines so far."""
        return "\n".join(
            line for line in self.log.read_text(errors="replace").splitlines() if "Culling" in line
        )


def wait_until(condition, timeout: float, what: str) -> float:
    """Seconds until `condition()` held; fails after `timeout`."""
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout, f"{what} within {timeout:.0f} s"
        time.sleep(0.25)
    return time.monotonic() - start


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`mentorkit serve --cull-idle 3` on a demo workshop, its pools filled."""
    folder = tmp_path_factory.mktemp("reclaim")
    database_url = f"sqlite:///{folder / 'demo.db'}"
    cli = [sys.executable, "-m", "mentorkit.cli", "--db", database_url]
    subprocess.run([*cli, "demo"], check=True, capture_output=True, cwd=ROOT)
    port = free_port()
    log = folder / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [*cli, "serve", "--port", str(port), "--cull-idle", str(CULL_IDLE_S)],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Served(f"http://127.0.0.1:{port}", process, log)
    try:
        wait_until(
            lambda: process.poll() is None and len(server.kernels()) >= pool_size(),
            180,
            "the pre-heated pools filled",
        )
        yield server
    finally:
        server.stop()


def open_visit(browser: Browser, served: Served, notebook: str) -> tuple[BrowserContext, Page]:
    """A fresh visit (its own browser context), once its app is on screen."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(served.url(notebook), timeout=LOAD_TIMEOUT_MS)
    expect(page.locator(".mentorkit-app").first).to_be_visible(timeout=LOAD_TIMEOUT_MS)
    return context, page


def kernel_id(page: Page) -> str:
    return page.evaluate(
        "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
    )


def test_closed_tabs_give_their_kernels_back_politely_or_by_culling(browser: Browser, served):
    pool = pool_size()
    assert pool > 0
    wait_until(lambda: len(served.kernels()) == pool, 60, "only the pool running at first")
    visits = [open_visit(browser, served, APPS[i % len(APPS)]) for i in range(VISITS)]
    visited = [kernel_id(page) for _, page in visits]
    assert len(set(visited)) == VISITS
    # Every visit took a pre-heated kernel or a fresh one; the pools refill behind them.
    wait_until(lambda: len(served.kernels()) == pool + VISITS, 120, "the peak reached")
    assert set(visited) <= set(served.kernels())

    polite, abrupt = visits[::2], visits[1::2]
    polite_ids, abrupt_ids = visited[::2], visited[1::2]
    for _, page in polite:  # closing the tab: the page says goodbye
        page.close(run_before_unload=True)
    for context, _ in abrupt:  # gone without a word: no beforeunload, no request
        context.close()
    bound = CULL_IDLE_S + CULL_INTERVAL_S + SHUTDOWN_SLACK_S
    wait_until(
        lambda: not set(visited) & set(served.kernels()),
        bound,
        "every visited kernel reclaimed",
    )
    left = served.kernels()
    assert len(left) == pool, left
    culled = served.culled()
    for kernel in abrupt_ids:  # the culler took the silent ones ...
        assert kernel in culled, culled
    for kernel in polite_ids:  # ... and never needed to take the polite ones
        assert kernel not in culled, culled
    for context, _ in polite:
        context.close()
    # The pools were left alone: every notebook still opens at once from its own.
    context, page = open_visit(browser, served, APPS[0])
    assert kernel_id(page) in left
    context.close()


def test_a_page_whose_kernel_was_culled_while_it_was_away_says_so(browser: Browser, served):
    """A laptop asleep, the network gone: the server sees the tab leave, culls its kernel,
    and when the page is back it says it lost its connection, over the app (so that text
    not yet saved can still be copied), with a Reload that works."""
    network = {"up": True}
    sockets: list[tuple[WebSocketRoute, WebSocketRoute]] = []

    def route(socket: WebSocketRoute) -> None:
        if not network["up"]:
            socket.close()
            return
        sockets.append((socket, socket.connect_to_server()))

    context = browser.new_context()
    page = context.new_page()
    page.route_web_socket(re.compile(r".*/api/kernels/[^/]+/channels.*"), route)
    try:
        page.goto(served.url("03_expectations.ipynb"), timeout=LOAD_TIMEOUT_MS)
        expect(page.locator(".mentorkit-app")).to_be_visible(timeout=LOAD_TIMEOUT_MS)
        kernel = kernel_id(page)
        assert sockets
        expect(page.get_by_role("alert")).to_have_count(0)

        network["up"] = False
        for page_side, server_side in sockets:
            server_side.close()
            page_side.close()
        wait_until(
            lambda: served.kernel_status(kernel) == 404,
            CULL_IDLE_S + CULL_INTERVAL_S + SHUTDOWN_SLACK_S,
            "the away page's kernel culled",
        )
        assert kernel in served.culled()

        network["up"] = True
        page.evaluate("window.dispatchEvent(new Event('online'))")
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text(LOST_MESSAGE, timeout=30_000)
        expect(alert).to_contain_text("Everything you saved is kept")
        expect(page.locator(".mentorkit-app")).to_be_visible()  # still there, under it

        # The network and the kernel are cut from the outside, as no person could; the
        # Reload is a person's click.
        Person(page).click(alert.get_by_role("button", name="Reload"))
        expect(page.locator(".mentorkit-app")).to_be_visible(timeout=LOAD_TIMEOUT_MS)
        expect(page.get_by_role("alert")).to_have_count(0)
        assert kernel_id(page) != kernel
    finally:
        context.close()


def test_a_page_whose_kernel_was_shut_down_or_died_says_so(browser: Browser, served):
    # Shut down while the tab is connected (through the API, as a culler would): the
    # connection stays open, so the page finds out by asking, e.g. when it is looked at.
    context, page = open_visit(browser, served, "04_smart_goals.ipynb")
    try:
        kernel = kernel_id(page)
        request = urllib.request.Request(f"{served.base_url}/api/kernels/{kernel}", method="DELETE")
        with urllib.request.urlopen(request, timeout=60) as answer:
            assert answer.status == 204
        page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
        expect(page.get_by_role("alert")).to_contain_text(LOST_MESSAGE, timeout=30_000)
        # An open page never reloads by itself (a page that never opened does, after 5 s
        # at first): what its participant typed and not yet saved stays on screen.
        page.evaluate("window.__stillTheSamePage = true")
        page.wait_for_timeout(AUTOMATIC_RETRY_S * 1000 + 3000)
        assert page.evaluate("window.__stillTheSamePage === true")
        expect(page.get_by_role("alert")).to_contain_text(LOST_MESSAGE)
        expect(page.locator(".mentorkit-app")).to_be_visible()
    finally:
        context.close()

    # Killed (out of memory, say): the server restarts it empty; the page cannot work again.
    context, page = open_visit(browser, served, "05_check_ins.ipynb")
    try:
        served.kernels()[kernel_id(page)].kill()
        expect(page.get_by_role("alert")).to_contain_text(LOST_MESSAGE, timeout=30_000)
        expect(page.get_by_role("alert").get_by_role("button", name="Reload")).to_be_visible()
    finally:
        context.close()
