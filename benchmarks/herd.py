"""The workshop's first minute: a room opening the link at the same moment.

    python benchmarks/herd.py [--sizes 10 30] [--timeout 300] [--expect N]

For each herd size N, N participants, each in a fresh Chromium context of one browser,
act at the same moment:

* **apps**: `mentorkit serve --expect N` started as the README says (`mentorkit demo`,
  then `mentorkit --db URL serve --expect N`). Each participant opens the gallery (the
  link the facilitator shows), follows its Step 1 link to the sign-in, types the join code
  and a name of their own and presses Start, which opens the journey page on their
  Self-assessment; from there they move on to step 2 (Mentor shortlist) in the same page;
* **bare**: a page holding only a VBox with a Text, a Dropdown and a Button, under plain
  default Voilà (`voila bare.ipynb`), measured in the same run as the baseline.

A page is usable the moment a script injected before the page's own scripts sees a
visible, enabled input in it: for the gallery a link to step 1, for the sign-in its join
code field, for the journey an input of the worksheet. Times are milliseconds since the
navigation started (for the journey: since Start was pressed; for a move: since the link
was clicked). "Blank" is a page that never showed a word (the opening panel counts). It prints,
per herd size and page: usable / failed, median, p90 and max, the server's peak memory
(RSS of the Voilà server and every kernel, sampled every 0.25 s) and kernel count, the CPU
seconds the server used and those the whole machine used (the rest is the browsers), and
the ratios of median and max to the bare herd's. Then the time a signed-in participant
alone takes to move from one worksheet to the next (five moves).

Targets (on the machine it runs on): for the largest herd, the first page of each step
(the gallery and the sign-in) all usable, none blank, max ≤ 0.5× and median ≤ 0.3× the bare
herd's; a move to the next worksheet usable in ≤ 0.5 s median. Exit status 1 when one is
missed.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import psutil
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))

from voila_tti import (
    BENCH_ENV,
    BIN,
    CHROMIUM_ARGS,
    MB,
    ROOT,
    Server,
    memory,
    memory_single,
    run,
    settle,
    start,
    stop,
    wait_until_answering,
    write_bare_notebook,
)

from mentorkit.testing import CHROMIUM, free_port

HERD_MEDIAN_TARGET = 0.3
HERD_MAX_TARGET = 0.5
MOVE_TARGET_MS = 500.0
VIEWPORT = {"width": 1280, "height": 800}
STEPS = {
    "01_self_assessment": "1. Self-assessment",
    "02_mentor_shortlist": "2. Mentor shortlist",
    "03_expectations": "3. Expectations",
    "04_smart_goals": "4. SMART goals",
    "05_check_ins": "5. Check-ins",
    "06_my_plan": "6. My plan",
}
GALLERY_LINK = "main a[href*='step=01_self_assessment']"
SIGN_IN_INPUT = "form input:not([type=hidden])"
BARE_INPUT = "input"


#: A page that never showed a word within the timeout.
BLANK = "blank"

#: Numbers for the participants' names, unique across the run's herds.
NEWCOMERS = itertools.count(1)


def worksheet_inputs(step: str) -> str:
    """The inputs of one worksheet of the journey page (a button counts: Check-ins starts
    with "Log a meeting")."""
    sheet = f".mentorkit-worksheet-{step}"
    return f"{sheet} input, {sheet} select, {sheet} textarea, {sheet} button"


#: Runs in every page before its own scripts: sets `window.__mkReady` to `performance.now()`
#: the first time the page shows a usable element of the kind its address calls for. It
#: looks every `PROBE_EVERY_MS` until then, and no more after: a look asks the browser
#: where elements are, which lays the page out. Looking at every frame and every change (as
#: it did) made each page of a crowd lay itself out thousands of times while it was being
#: built, work no participant's browser does, which grew the longer a page waited.
PROBE_EVERY_MS = 100
HERD_PROBE = """
(() => {
  const selectors = %s;
  const every = %d;
  const path = location.pathname;
  const selector = path.endsWith("journey.ipynb") ? selectors.journey
    : path.endsWith("/start") ? selectors.start : selectors.other;
  const visible = (el) => el.getClientRects().length > 0 &&
    (!el.checkVisibility || el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true}));
  const probe = () => {
    if (window.__mkShown === undefined && document.body && document.body.innerText.trim()) {
      window.__mkShown = performance.now();  // no longer blank: words on the page
    }
    for (const el of document.querySelectorAll(selector)) {
      if (!el.disabled && visible(el)) { window.__mkReady = performance.now(); return; }
    }
    setTimeout(probe, every);
  };
  probe();
})();
"""

#: Clicks the journey link to a step and resolves with the ms until that worksheet shows a
#: usable input (null after a minute).
MOVE_JS = """
async ([step, label, selector]) => {
  const link = [...document.querySelectorAll("nav[aria-label='Workshop steps'] a")]
    .find((a) => a.textContent.trim() === label);
  const started = performance.now();
  link.click();
  return await new Promise((resolve) => {
    const visible = (el) => el.getClientRects().length > 0;
    const check = () => {
      const found = [...document.querySelectorAll(selector)].find((e) => !e.disabled && visible(e));
      if (found) { resolve(performance.now() - started); return true; }
      return false;
    };
    const watch = new MutationObserver(() => { if (check()) watch.disconnect(); });
    watch.observe(document, {childList: true, subtree: true, attributes: true});
    check();
    setTimeout(() => resolve(null), 60000);
  });
}
"""


def probe(first: str = "01_self_assessment", other: str = GALLERY_LINK) -> str:
    import json

    selectors = {"journey": worksheet_inputs(first), "start": SIGN_IN_INPUT, "other": other}
    return HERD_PROBE % (json.dumps(selectors), PROBE_EVERY_MS)


@dataclass
class PageTimes:
    """One page of one herd: each participant's time to usable (None: never), and how
    many pages never showed a word (blank)."""

    label: str
    times: list[float | None] = field(default_factory=list)
    blank: int = 0

    @property
    def usable(self) -> list[float]:
        return sorted(t for t in self.times if t is not None)

    @property
    def failed(self) -> int:
        return sum(1 for t in self.times if t is None)

    def median(self) -> float | None:
        return statistics.median(self.usable) if self.usable else None

    def p90(self) -> float | None:
        found = self.usable
        return found[min(len(found) - 1, round(0.9 * (len(found) - 1)))] if found else None

    def max(self) -> float | None:
        return self.usable[-1] if self.usable else None


@dataclass
class Peak:
    """The most memory and kernels a server held while a herd ran, and the CPU it used."""

    rss: float = 0.0
    kernels: int = 0
    server_cpu: float = 0.0  # seconds, the Voilà server and its kernels
    machine_cpu: float = 0.0  # seconds, every process of the machine (browsers included)


class Watch:
    """Samples a server's memory (every process, kernels included) in a thread, and counts
    the CPU seconds it and the whole machine use meanwhile."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.peak = Peak()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._cpu: dict[int, float] = {}
        self._cpu_start: dict[int, float] = {}

    def __enter__(self) -> Watch:
        self._machine_start = _machine_cpu()
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak.machine_cpu = _machine_cpu() - self._machine_start
        self.peak.server_cpu = sum(
            used - self._cpu_start.get(pid, 0.0) for pid, used in self._cpu.items()
        )

    def _run(self) -> None:
        first = True
        while not self._stop.is_set():
            processes = self.server.processes()
            rss = sum(memory(p)[0] for p in processes if p.pid not in _child_pids(processes))
            self.peak.rss = max(self.peak.rss, rss)
            self.peak.kernels = max(self.peak.kernels, len(self.server.kernels()))
            for proc in processes:
                try:
                    times = proc.cpu_times()
                except Exception:
                    continue
                self._cpu[proc.pid] = times.user + times.system
                if first:
                    self._cpu_start[proc.pid] = self._cpu[proc.pid]
            first = False
            self._stop.wait(0.25)


def _machine_cpu() -> float:
    times = psutil.cpu_times()
    return times.user + times.system


def _child_pids(processes: Sequence) -> set[int]:
    """Pids counted already inside a parent's `memory` (which adds children)."""
    pids = {p.pid for p in processes}
    found: set[int] = set()
    for proc in processes:
        try:
            parent = proc.ppid()
        except Exception:
            continue
        if parent in pids:
            found.add(proc.pid)
    return found


async def ready_after(
    page: Page, url: str | None, timeout: float, since: float | None = None
) -> float | None:
    """Open `url` in `page` (None: a navigation already started, at `since`) and wait until
    the probe finds the page usable: ms since the navigation started, or None.

    Times are taken on the machine's clock (the page's `performance.timeOrigin` plus its
    `performance.now()`), so a page that reloads itself on the way (the page watch retries
    a page the server could not open) is timed from the first navigation, not its last.
    """
    started = time.time() * 1000 if since is None else since
    deadline = time.monotonic() + timeout
    try:
        if url is not None:
            await page.goto(url, timeout=timeout * 1000, wait_until="commit")
    except Exception:
        return None
    while time.monotonic() < deadline:
        try:
            await page.wait_for_function(
                "() => window.__mkReady !== undefined",
                timeout=max(1.0, deadline - time.monotonic()) * 1000,
                polling=100,
            )
            ready = await page.evaluate("performance.timeOrigin + window.__mkReady")
            return float(ready) - started
        except Exception as exc:
            if "context was destroyed" not in str(exc) and "navigat" not in str(exc):
                return None  # timed out
            await asyncio.sleep(0.1)  # the page reloaded itself: wait on the new one
    return None


async def blank(page: Page) -> bool:
    """Whether the page has never shown a word (the opening panel counts as words)."""
    try:
        return bool(await page.evaluate("window.__mkShown === undefined"))
    except Exception:
        return True


async def new_page(context: BrowserContext, first_step: str = "01_self_assessment") -> Page:
    page = await context.new_page()
    await page.add_init_script(probe(first_step))
    return page


async def move(page: Page, step: str) -> float | None:
    """Click the journey link to `step`: ms until its worksheet is usable, or None."""
    found = await page.evaluate(MOVE_JS, [step, STEPS[step], worksheet_inputs(step)])
    return None if found is None else float(found)


async def sign_in(page: Page, join_code: str, who: str, timeout: float) -> float | None:
    """Type the join code and a name into the sign-in form and press Start: ms until the
    journey page shows the Self-assessment usable (since Start was pressed)."""
    await page.get_by_label("Join code").type(join_code, delay=10)
    await page.get_by_label("Your name").type(who, delay=10)
    pressed = time.time() * 1000
    async with page.expect_navigation(wait_until="commit", timeout=timeout * 1000):
        await page.get_by_role("button", name="Start").click()
    if not page.url.split("?")[0].endswith("journey.ipynb"):
        print(f"{who}: the sign-in did not lead to the journey ({page.url})")
        return None
    return await ready_after(page, None, timeout, since=pressed)


async def participant(
    browser: Browser, base: str, join_code: str, number: int, timeout: float
) -> list[float | str | None]:
    """One participant of the apps herd: gallery, sign-in, Self-assessment, step 2."""
    context = await browser.new_context(viewport=VIEWPORT)
    found: list[float | str | None] = [None, None, None, None]
    try:
        page = await new_page(context)
        found[0] = await ready_after(page, f"{base}/", timeout)
        if found[0] is None:
            return found
        href = await page.locator(GALLERY_LINK).first.get_attribute("href") or ""
        await page.close()
        page = await new_page(context)
        found[1] = await ready_after(page, urljoin(f"{base}/", href), timeout)
        if found[1] is None:
            return found
        # A name of their own: one already signed in would be asked for their resume code.
        who = f"Herd participant {next(NEWCOMERS)}"
        found[2] = await sign_in(page, join_code, who, timeout)
        if found[2] is not None:
            found[3] = await move(page, "02_mentor_shortlist")
        elif await blank(page):
            found[2] = BLANK
        return found
    except Exception as exc:
        print(f"participant {number}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
        return found
    finally:
        await context.close()


async def bare_visitor(browser: Browser, url: str, timeout: float) -> float | None:
    context = await browser.new_context(viewport=VIEWPORT)
    try:
        page = await context.new_page()
        await page.add_init_script(probe(other=BARE_INPUT))
        return await ready_after(page, url, timeout)
    finally:
        await context.close()


async def herd_apps(
    browser: Browser, base: str, join_code: str, size: int, timeout: float
) -> list[PageTimes]:
    found = await asyncio.gather(
        *(participant(browser, base, join_code, n, timeout) for n in range(size))
    )
    labels = (
        "gallery",
        "step 1 · sign-in form",
        "step 1 · signed in, worksheet",
        "step 2 · move in the page",
    )
    return [
        PageTimes(
            label,
            [None if row[i] == BLANK else row[i] for row in found],  # type: ignore[misc]
            blank=sum(1 for row in found if row[i] == BLANK),
        )
        for i, label in enumerate(labels)
    ]


async def herd_bare(browser: Browser, url: str, size: int, timeout: float) -> PageTimes:
    found = await asyncio.gather(*(bare_visitor(browser, url, timeout) for _ in range(size)))
    return PageTimes("bare ipywidgets page", list(found))


@dataclass
class Moves:
    """A signed-in participant alone going through the journey: the time of each move, and
    the memory of their kernel after the last (RSS, USS in bytes) and of one kernel still
    waiting in the journey's pool."""

    times: list[float | None]
    kernel: tuple[float, float] = (0.0, 0.0)
    waiting: tuple[float, float] = (0.0, 0.0)


async def moves(browser: Browser, server: Server, join_code: str, timeout: float) -> Moves:
    """A signed-in participant alone, moving from one worksheet to the next."""
    context = await browser.new_context(viewport=VIEWPORT)
    try:
        page = await new_page(context)
        await ready_after(page, f"{server.base_url}/start?step=01_self_assessment", timeout)
        if await sign_in(page, join_code, "Herd mover", timeout) is None:
            return Moves([])
        found = Moves([])
        for step in list(STEPS)[1:]:
            await asyncio.sleep(2)  # a person reads before moving on
            found.times.append(await move(page, step))
        config = await page.evaluate(
            "JSON.parse(document.getElementById('jupyter-config-data').textContent)"
        )
        kernels = server.kernels()
        mine = kernels.pop(config.get("kernelId", ""), None)
        if mine is not None:
            found.kernel = memory_single(mine)
        waiting = [memory_single(proc) for proc in kernels.values()]
        if waiting:  # the smallest: a pool kernel of the journey (the others run more)
            found.waiting = min(waiting)
        return found
    finally:
        await context.close()


def _fmt(ms: float | None) -> str:
    return "—" if ms is None else f"{ms:,.0f}"


def _ratio(value: float | None, base: float | None) -> str:
    return "—" if value is None or not base else f"{value / base:.2f}"


def print_herd(size: int, rows: list[tuple[PageTimes, Peak]], bare: PageTimes) -> None:
    print(f"\nHerd of {size}: ms to first usable input (since navigation start)")
    header = (
        f"{'page':34} {'usable':>6} {'failed':>6} {'blank':>5} {'median':>8} {'p90':>8} "
        f"{'max':>8} {'×med':>5} {'×max':>5}"
    )
    print(header)
    print("-" * len(header))
    for times, _peak in rows:
        print(
            f"{times.label:34} {len(times.usable):>6} {times.failed:>6} {times.blank:>5} "
            f"{_fmt(times.median()):>8} {_fmt(times.p90()):>8} {_fmt(times.max()):>8} "
            f"{_ratio(times.median(), bare.median()):>5} {_ratio(times.max(), bare.max()):>5}"
        )
    print(
        f"\n{'server':8} {'peak MB':>8} {'MB/person':>9} {'kernels':>7} {'server CPU s':>12} "
        f"{'machine CPU s':>13}"
    )
    for name, peak in (("bare", rows[0][1]), ("apps", rows[-1][1])):
        print(
            f"{name:8} {peak.rss / MB:>8,.0f} {peak.rss / MB / size:>9,.0f} {peak.kernels:>7} "
            f"{peak.server_cpu:>12,.1f} {peak.machine_cpu:>13,.1f}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 30])
    parser.add_argument("--timeout", type=float, default=300, help="seconds per page")
    parser.add_argument(
        "--expect",
        type=int,
        default=None,
        help="serve with `mentorkit serve --expect N`, as the README says for a room of N "
        "(default: the largest herd; 0: plain `mentorkit serve`)",
    )
    args = parser.parse_args(argv)
    if args.expect is None:
        args.expect = max(args.sizes)
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    return asyncio.run(measure(args.sizes, args.timeout, args.expect))


async def measure(sizes: Sequence[int], timeout: float, expect: int) -> int:
    met = True
    with tempfile.TemporaryDirectory(prefix="mentorkit-herd-") as tmp, ExitStack() as stack:
        folder = Path(tmp)
        database_url = f"sqlite:///{folder / 'herd.db'}"
        mentorkit = str(BIN / "mentorkit")
        printed = run([mentorkit, "--db", database_url, "demo"], cwd=ROOT)
        join_code = next(
            line.split(":", 1)[1].split()[0] for line in printed.splitlines() if "Join code" in line
        )
        bare = write_bare_notebook(folder / "bare")
        default_dir = folder / "default"
        default_dir.mkdir()
        plain_env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("JUPYTER_", "MENTORKIT_", "VOILA_"))
        }
        ports = {"apps": free_port(), "bare": free_port()}
        serve = [mentorkit, "--db", database_url, "serve", "--port", str(ports["apps"])]
        if expect:
            serve += ["--expect", str(expect)]
        print(f"apps: {' '.join(serve[3:])}")
        apps = start(
            "apps",
            serve,
            f"http://127.0.0.1:{ports['apps']}",
            folder,
            env={
                **BENCH_ENV,
                # Every herd of this run (and the warm-ups) comes from this machine's address
                # within minutes, where a real room is one herd: `--expect` lets one room
                # join by name from one address, this lets the run's rooms join one after
                # the other.
                "MENTORKIT_NEWCOMERS_PER_ADDRESS": str(sum(sizes) + 2),
            },
            cwd=ROOT,
        )
        stack.callback(stop, apps)
        bare_server = start(
            "bare",
            [str(BIN / "voila"), str(bare), "--no-browser", f"--port={ports['bare']}"],
            f"http://localhost:{ports['bare']}",
            folder,
            env=plain_env,
            cwd=default_dir,
        )
        stack.callback(stop, bare_server)
        for server in (apps, bare_server):
            wait_until_answering(server)
        # The room comes in once the facilitator sees the server is ready: its pools full.
        settle([apps, bare_server], timeout=600)
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")

        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
            # Warm-up: each server's first page compiles its templates.
            await herd_bare(browser, bare_server.base_url + "/", 1, timeout)
            await herd_apps(browser, apps.base_url, join_code, 1, timeout)
            for size in sizes:
                settle([apps, bare_server], timeout=60)
                with Watch(bare_server) as watch:
                    bare_times = await herd_bare(browser, bare_server.base_url + "/", size, timeout)
                bare_row = (bare_times, watch.peak)
                settle([apps, bare_server], timeout=60)
                with Watch(apps) as watch:
                    app_times = await herd_apps(browser, apps.base_url, join_code, size, timeout)
                print_herd(size, [bare_row, *((t, watch.peak) for t in app_times)], bare_times)
                if size == max(sizes):
                    for first_page in app_times[:2]:
                        met &= first_page.failed == 0
                        met &= (first_page.max() or 1e9) <= HERD_MAX_TARGET * (
                            bare_times.max() or 0
                        )
                        met &= (first_page.median() or 1e9) <= HERD_MEDIAN_TARGET * (
                            bare_times.median() or 0
                        )
            settle([apps, bare_server], timeout=60)
            moved = await moves(browser, apps, join_code, timeout)
            await browser.close()
        shown = ", ".join(_fmt(m) for m in moved.times)
        usable = sorted(m for m in moved.times if m is not None)
        median = statistics.median(usable) if usable else None
        print(
            f"\nMoving to the next worksheet, signed in, alone: {shown} ms; median {_fmt(median)}"
        )
        print(
            "Their kernel after all six worksheets: "
            f"RSS {moved.kernel[0] / MB:,.0f} MB, USS {moved.kernel[1] / MB:,.0f} MB; "
            f"a kernel waiting in a pool: RSS {moved.waiting[0] / MB:,.0f} MB, "
            f"USS {moved.waiting[1] / MB:,.0f} MB"
        )
        met &= median is not None and median <= MOVE_TARGET_MS
    print(f"\ntargets {'met' if met else 'missed'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
