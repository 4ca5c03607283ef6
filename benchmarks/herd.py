"""The workshop's first minute: a room opening the link at the same moment.

    python benchmarks/herd.py [--sizes 10 30] [--timeout 120]

For each herd size N, N participants, each in a fresh Chromium context of one browser,
open at the same moment:

* **apps**: `mentorkit serve` started as the README does (`mentorkit demo`, then
  `mentorkit --db URL serve`): the gallery, then step 1 (Self-assessment) at once; each
  then signs in with the join code and a name of their own and follows the link to
  step 2 (Mentor shortlist);
* **bare**: a page holding only a VBox with a Text, a Dropdown and a Button, under plain
  default Voilà (`voila bare.ipynb`), measured in the same run as the baseline.

A page is usable the moment a script injected before the page's own scripts sees a
visible, enabled input in it (the gallery: a link to an app); "blank" is a page that never
became usable within `--timeout`. It prints, per herd size and page: usable / failed,
median, p90 and max time to usable (ms since navigation start), the server's peak memory
(RSS of the Voilà server and every kernel, sampled every 0.25 s) and peak kernel count,
and the ratios of median and max to the bare herd's. Then the time a signed-in participant
alone takes to move from one worksheet to the next (five moves).

Targets (issue 11, on the machine it runs on): a herd of 30 all usable, none blank, max
≤ 0.5× and median ≤ 0.3× the bare herd's; a move to the next worksheet usable in ≤ 0.5 s
median. Exit status 1 when one is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import threading
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from playwright.async_api import Browser, BrowserContext, Page, async_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))

from voila_tti import (
    BENCH_ENV,
    BIN,
    CHROMIUM_ARGS,
    MB,
    PROBE_JS,
    ROOT,
    Server,
    memory,
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
APP_INPUT = ".mentorkit-app input, .mentorkit-app select, .mentorkit-app textarea"
GALLERY_LINK = 'a[href*=".ipynb"]'
BARE_INPUT = "input"


def probe(selector: str) -> str:
    """The injected check: `window.__mkReady` is set when `selector` shows a usable input."""
    import json

    return PROBE_JS % json.dumps({"selector": selector, "mark": "", "scope": ".mentorkit-app"})


@dataclass
class PageTimes:
    """One page of one herd: each participant's time to usable (None: never)."""

    label: str
    times: list[float | None] = field(default_factory=list)

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
    """The most memory and kernels a server held while a herd ran."""

    rss: float = 0.0
    kernels: int = 0


class Watch:
    """Samples a server's memory (every process, kernels included) in a thread."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.peak = Peak()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Watch:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            processes = self.server.processes()
            rss = sum(memory(p)[0] for p in processes if p.pid not in _child_pids(processes))
            self.peak.rss = max(self.peak.rss, rss)
            self.peak.kernels = max(self.peak.kernels, len(self.server.kernels()))
            self._stop.wait(0.25)


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
    context: BrowserContext, url: str, selector: str, timeout: float
) -> tuple[Page, float | None]:
    """Open `url` in a new page of `context`: (the page, ms to usable or None)."""
    page = await context.new_page()
    await page.add_init_script(probe(selector))
    try:
        await page.goto(url, timeout=timeout * 1000, wait_until="commit")
        await page.wait_for_function(
            "() => window.__mkReady !== undefined", timeout=timeout * 1000, polling=100
        )
        return page, float(await page.evaluate("window.__mkReady"))
    except Exception:
        return page, None


async def participant(
    browser: Browser, base: str, join_code: str, number: int, timeout: float
) -> tuple[float | None, float | None, float | None]:
    """One participant of the apps herd: gallery, step 1, sign in, step 2."""
    context = await browser.new_context(viewport=VIEWPORT)
    try:
        gallery_page, gallery = await ready_after(
            context, f"{base}/voila/render/index.ipynb", GALLERY_LINK, timeout
        )
        await gallery_page.close()
        page, step1 = await ready_after(
            context, f"{base}/voila/render/01_self_assessment.ipynb", APP_INPUT, timeout
        )
        if step1 is None:
            return gallery, None, None
        await page.get_by_label("Join code").fill(join_code)
        await page.get_by_label("Name or email").fill(f"Herd participant {number}")
        await page.get_by_role("button", name="Start").click()
        await page.locator(".mentorkit-who").wait_for(timeout=timeout * 1000)
        await page.close()
        _page, step2 = await ready_after(
            context, f"{base}/voila/render/02_mentor_shortlist.ipynb", ".mentorkit-who", timeout
        )
        return gallery, step1, step2
    except Exception as exc:
        print(f"participant {number}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
        return None, None, None
    finally:
        await context.close()


async def bare_visitor(browser: Browser, url: str, timeout: float) -> float | None:
    context = await browser.new_context(viewport=VIEWPORT)
    try:
        _page, ms = await ready_after(context, url, BARE_INPUT, timeout)
        return ms
    finally:
        await context.close()


async def herd_apps(
    browser: Browser, base: str, join_code: str, size: int, timeout: float
) -> list[PageTimes]:
    found = await asyncio.gather(
        *(participant(browser, base, join_code, n, timeout) for n in range(size))
    )
    labels = ("gallery", "step 1 · self-assessment", "step 2 · shortlist, signed in")
    return [PageTimes(label, [row[i] for row in found]) for i, label in enumerate(labels)]


async def herd_bare(browser: Browser, url: str, size: int, timeout: float) -> PageTimes:
    found = await asyncio.gather(*(bare_visitor(browser, url, timeout) for _ in range(size)))
    return PageTimes("bare ipywidgets page", list(found))


async def moves(browser: Browser, base: str, join_code: str, count: int) -> list[float | None]:
    """A signed-in participant alone, moving from one worksheet to the next."""
    context = await browser.new_context(viewport=VIEWPORT)
    steps = [
        "01_self_assessment",
        "02_mentor_shortlist",
        "03_expectations",
        "04_smart_goals",
        "05_check_ins",
        "06_my_plan",
    ]
    try:
        page, _ = await ready_after(
            context, f"{base}/voila/render/{steps[0]}.ipynb", APP_INPUT, 120
        )
        await page.get_by_label("Join code").fill(join_code)
        await page.get_by_label("Name or email").fill("Herd mover")
        await page.get_by_role("button", name="Start").click()
        await page.locator(".mentorkit-who").wait_for(timeout=120_000)
        await page.close()
        times = []
        for step in steps[1 : count + 1]:
            page, ms = await ready_after(
                context, f"{base}/voila/render/{step}.ipynb", ".mentorkit-who", 120
            )
            times.append(ms)
            await page.close()
            await asyncio.sleep(2)  # a person reads before moving on
        return times
    finally:
        await context.close()


def _fmt(ms: float | None) -> str:
    return "—" if ms is None else f"{ms:,.0f}"


def _ratio(value: float | None, base: float | None) -> str:
    return "—" if value is None or not base else f"{value / base:.2f}"


def print_herd(size: int, rows: list[tuple[PageTimes, Peak]], bare: PageTimes) -> None:
    print(f"\nHerd of {size}: ms to first usable input (since navigation start)")
    header = (
        f"{'page':34} {'usable':>6} {'failed':>6} {'median':>8} {'p90':>8} {'max':>8} "
        f"{'peak MB':>8} {'kernels':>7} {'×med':>5} {'×max':>5}"
    )
    print(header)
    print("-" * len(header))
    for times, peak in rows:
        print(
            f"{times.label:34} {len(times.usable):>6} {times.failed:>6} "
            f"{_fmt(times.median()):>8} {_fmt(times.p90()):>8} {_fmt(times.max()):>8} "
            f"{peak.rss / MB:>8,.0f} {peak.kernels:>7} "
            f"{_ratio(times.median(), bare.median()):>5} {_ratio(times.max(), bare.max()):>5}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 30])
    parser.add_argument("--timeout", type=float, default=120, help="seconds per page")
    parser.add_argument("--moves", type=int, default=5)
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
    return asyncio.run(measure(args.sizes, args.timeout, args.moves, args.expect))


async def measure(sizes: Sequence[int], timeout: float, move_count: int, expect: int) -> int:
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
            env=BENCH_ENV,
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
                    step1 = app_times[1]
                    met &= step1.failed == 0 and app_times[0].failed == 0
                    met &= (step1.max() or 1e9) <= HERD_MAX_TARGET * (bare_times.max() or 0)
                    met &= (step1.median() or 1e9) <= HERD_MEDIAN_TARGET * (
                        bare_times.median() or 0
                    )
            settle([apps, bare_server], timeout=60)
            moved = await moves(browser, apps.base_url, join_code, move_count)
            await browser.close()
        shown = ", ".join(_fmt(m) for m in moved)
        usable = sorted(m for m in moved if m is not None)
        median = statistics.median(usable) if usable else None
        print(
            f"\nMoving to the next worksheet, signed in, alone: {shown} ms; median {_fmt(median)}"
        )
        met &= median is not None and median <= MOVE_TARGET_MS
    print(f"\ntargets {'met' if met else 'missed'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
