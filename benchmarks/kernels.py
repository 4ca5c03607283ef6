"""Kernels of closed tabs: how many run before, at the peak of and after a burst of page
visits, how long the server takes to give them back, and the memory that comes back.

Starts `mentorkit --db URL serve --port P --cull-idle C` exactly as a facilitator would
(with a culling time of C seconds, 10 by default, instead of voila.json's 15 minutes) on a
throw-away demo workshop, waits until the pre-heated pools are filled and the server is
quiet, and opens `--visits` page visits (20 by default) in headless Chromium, round-robin
over the gallery and the apps, each in a fresh browser context, all kept open. Then it
closes them, one path after the other:

* **polite** (half of the visits): `page.close(run_before_unload=True)`, a person closing
  the tab: the page sends Voilà's kernel-shutdown request;
* **abrupt** (the other half): half of them by closing their browser context (Chromium
  tears the pages down without running `beforeunload`: no request), the others by killing
  (SIGKILL) a second Chromium, started by this benchmark, that holds them: a browser
  crashing, a laptop's battery running out. The culler reclaims these once they have been
  gone for C seconds; it looks every C/4 seconds (at least 1, at most 60).

It prints the kernels running and the memory of the server and its kernels (RSS, and USS:
what only that process holds) before, at the peak and after; for each path the time from
closing to the last of its kernels gone (and the median kernel), against the bound the
configuration promises (the polite path is the baseline: `×polite`); and memory after over
memory before (1.00: everything given back). Exit status 0 when every visited kernel was
reclaimed within its bound and the server is back to its pool, 1 otherwise.

    python benchmarks/kernels.py [--visits 20] [--cull-idle 10]

Needs Playwright and psutil (the `test` extra) and Chromium at /usr/bin/chromium (or
MENTORKIT_CHROMIUM). Every process it starts is stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from mentorkit.cli import NOTEBOOKS_DIR, ROOT, VOILA_CONFIG
from mentorkit.testing import (
    CHROMIUM,
    ServedProcess,
    free_port,
    process_tree,
    served_pages,
)
from mentorkit.testing import CHROMIUM_ARGS as TEST_CHROMIUM_ARGS

CHROMIUM_ARGS = [
    *TEST_CHROMIUM_ARGS,
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost",
]
APPS = served_pages()
#: Shutting a kernel down takes a request, a wait and maybe a signal: allowed on top.
SHUTDOWN_SLACK_S = 10.0
LOAD_TIMEOUT_MS = 120_000
MB = 1024 * 1024
BENCH_ENV = {k: v for k, v in os.environ.items() if k != "MENTORKIT_TOKEN"}


# -- the server -------------------------------------------------------------------------


class Server(ServedProcess):
    """`mentorkit serve`, started by this benchmark in a session of its own."""

    def processes(self) -> list[psutil.Process]:
        return process_tree(self.process.pid)

    def memory(self) -> tuple[float, float, float, float]:
        """RSS and USS of the server's own processes, then of all its kernels, in bytes."""
        kernel_pids = {p.pid for p in self.kernels().values()}
        server = [0.0, 0.0]
        kernels = [0.0, 0.0]
        for proc in self.processes():
            try:
                info = proc.memory_full_info()
            except psutil.Error:
                continue
            bucket = (
                kernels if proc.pid in kernel_pids or _has_ancestor(proc, kernel_pids) else server
            )
            bucket[0] += info.rss
            bucket[1] += info.uss
        return server[0], server[1], kernels[0], kernels[1]

    def culled(self) -> str:
        return "\n".join(
            line for line in self.log.read_text(errors="replace").splitlines() if "Culling" in line
        )


def _has_ancestor(proc: psutil.Process, pids: set[int]) -> bool:
    try:
        return any(parent.pid in pids for parent in proc.parents())
    except psutil.Error:
        return False


def pool_size() -> int:
    """Pre-heated kernels the server keeps: voila.json's pool size for every notebook."""
    settings = json.loads(VOILA_CONFIG.read_text())["VoilaConfiguration"]
    notebooks = [p for p in NOTEBOOKS_DIR.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts]
    per_notebook = settings.get("default_pool_size", 0) if settings.get("preheat_kernel") else 0
    return per_notebook * len(notebooks)


def start_server(folder: Path, cull_idle: int) -> Server:
    database_url = f"sqlite:///{folder / 'demo.db'}"
    cli = [sys.executable, "-m", "mentorkit.cli", "--db", database_url]
    done = subprocess.run(
        [*cli, "demo"], capture_output=True, text=True, cwd=ROOT, env=BENCH_ENV, timeout=300
    )
    if done.returncode != 0:
        raise SystemExit(f"mentorkit demo failed:\n{done.stdout}\n{done.stderr}")
    port = free_port()
    log = folder / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [*cli, "serve", "--port", str(port), "--cull-idle", str(cull_idle)],
            cwd=ROOT,
            env=BENCH_ENV,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Server(f"http://127.0.0.1:{port}", process, log)


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> float:
    """Seconds until `condition()` held; stops the benchmark after `timeout`."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise SystemExit(f"{what}: not within {timeout:.0f} s")
        time.sleep(0.1)
    return time.monotonic() - start


def settle(server: Server, timeout: float = 60.0) -> None:
    """Wait until the server and its kernels use (almost) no CPU for two seconds."""
    window, needed, threshold = 0.25, 8, 0.05  # seconds, windows in a row, cores
    quiet = 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and quiet < needed:
        before = _cpu(server)
        time.sleep(window)
        used = sum(cpu - before.get(pid, 0.0) for pid, cpu in _cpu(server).items())
        quiet = quiet + 1 if used / window < threshold else 0


def _cpu(server: Server) -> dict[int, float]:
    used: dict[int, float] = {}
    for proc in server.processes():
        with suppress(psutil.Error):
            times = proc.cpu_times()
            used[proc.pid] = times.user + times.system
    return used


# -- the browsers -----------------------------------------------------------------------


@dataclass
class KillableChromium:
    """A Chromium this benchmark starts itself (so that it can kill it), driven over CDP."""

    process: subprocess.Popen
    profile: tempfile.TemporaryDirectory
    browser: Browser

    @classmethod
    def start(cls, playwright: Playwright) -> KillableChromium:
        profile = tempfile.TemporaryDirectory(prefix="mentorkit-bench-chromium-")
        process = subprocess.Popen(
            [
                CHROMIUM,
                *CHROMIUM_ARGS,
                "--remote-debugging-port=0",
                f"--user-data-dir={profile.name}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        port_file = Path(profile.name) / "DevToolsActivePort"
        wait_until(port_file.exists, 60, "the second Chromium's debugging port")
        wait_until(lambda: len(port_file.read_text().split()) >= 1, 10, "the port file")
        port = port_file.read_text().split()[0]
        browser = playwright.chromium.connect_over_cdp(f"http://127.0.0.1:{port}")
        return cls(process, profile, browser)

    def kill(self) -> None:
        """SIGKILL the whole browser: nothing it holds says goodbye."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def cleanup(self) -> None:
        self.kill()
        with suppress(Exception):
            self.profile.cleanup()


@dataclass
class Visit:
    notebook: str
    context: BrowserContext
    page: Page
    kernel_id: str
    how: str  # "polite", "context closed", "browser killed"


def open_visit(browser: Browser, server: Server, notebook: str, how: str) -> Visit:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server.base_url}/voila/render/{notebook}", timeout=LOAD_TIMEOUT_MS)
    page.locator(".mentorkit-app").first.wait_for(state="visible", timeout=LOAD_TIMEOUT_MS)
    kernel_id = page.evaluate(
        "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
    )
    return Visit(notebook, context, page, kernel_id, how)


def watch_reclaim(server: Server, kernel_ids: Sequence[str], timeout: float) -> dict[str, float]:
    """Seconds from now until each kernel was gone (missing: still running at timeout)."""
    start = time.monotonic()
    gone: dict[str, float] = {}
    while len(gone) < len(kernel_ids) and time.monotonic() - start < timeout:
        running = server.kernels()
        now = time.monotonic() - start
        for kernel_id in kernel_ids:
            if kernel_id not in gone and kernel_id not in running:
                gone[kernel_id] = now
        time.sleep(0.1)
    return gone


# -- the report -------------------------------------------------------------------------


@dataclass
class ClosedTabs:
    """Tabs closed one way: their kernels, the promised bound, when each kernel went."""

    name: str
    kernels: list[str]
    bound: float
    gone: dict[str, float] = field(default_factory=dict)

    @property
    def last(self) -> float | None:
        return max(self.gone.values()) if len(self.gone) == len(self.kernels) else None

    @property
    def median(self) -> float | None:
        return statistics.median(self.gone.values()) if self.gone else None

    @property
    def met(self) -> bool:
        return self.last is not None and self.last <= self.bound


def _s(value: float | None) -> str:
    return "never" if value is None else f"{value:,.1f}"


def print_report(
    counts: dict[str, int],
    memory: dict[str, tuple[float, float, float, float]],
    paths: Sequence[ClosedTabs],
    pool: int,
    cull_idle: int,
) -> bool:
    print()
    print(f"Kernels (pre-heated pool: {pool}; culling after {cull_idle} s away)")
    print(
        f"{'moment':<10} {'kernels':>8} {'server RSS':>11} {'server USS':>11} "
        f"{'kernels RSS':>12} {'kernels USS':>12} {'total RSS':>10} {'×before':>8}"
    )
    print("-" * 90)
    base_total = memory["before"][0] + memory["before"][2]
    for moment in ("before", "peak", "after"):
        s_rss, s_uss, k_rss, k_uss = memory[moment]
        total = s_rss + k_rss
        print(
            f"{moment:<10} {counts[moment]:>8} {s_rss / MB:>9,.0f}MB {s_uss / MB:>9,.0f}MB "
            f"{k_rss / MB:>10,.0f}MB {k_uss / MB:>10,.0f}MB {total / MB:>8,.0f}MB "
            f"{total / base_total:>8.2f}"
        )
    visited = counts["peak"] - counts["before"]
    if visited > 0:
        grown_rss = memory["peak"][2] - memory["before"][2]
        grown_uss = memory["peak"][3] - memory["before"][3]
        print(
            f"each visit's kernel: {grown_rss / visited / MB:,.0f} MB RSS, "
            f"{grown_uss / visited / MB:,.0f} MB USS (kernels' growth from before to the peak, "
            f"over the {visited} visits' kernels)"
        )
    print()
    polite = paths[0]
    print("Time from closing to kernels gone, seconds (bound: what the configuration promises)")
    print(
        f"{'path':<38} {'tabs':>5} {'gone':>5} {'median':>7} {'last':>7} {'×polite':>8} "
        f"{'bound':>6}  target"
    )
    print("-" * 94)
    ok = counts["after"] == pool
    for path in paths:
        ratio = (
            f"{path.last / polite.last:>8.1f}"
            if path.last is not None and polite.last
            else f"{'-':>8}"
        )
        print(
            f"{path.name:<38} {len(path.kernels):>5} {len(path.gone):>5} {_s(path.median):>7} "
            f"{_s(path.last):>7} {ratio} {path.bound:>6.0f}  {'met' if path.met else 'MISSED'}"
        )
        ok = ok and path.met
    print()
    if counts["after"] != pool:
        print(f"MISSED: {counts['after']} kernels running at the end, the pool is {pool}")
    return ok


# -- main -------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visits", type=int, default=20, help="page visits (default 20)")
    parser.add_argument(
        "--cull-idle", type=int, default=10, help="culling time in seconds (default 10)"
    )
    args = parser.parse_args(argv)
    if args.visits < 4:
        parser.error("--visits must be at least 4 (both paths, both ways of vanishing)")
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    cull_interval = max(1, min(60, args.cull_idle // 4))
    pool = pool_size()
    with tempfile.TemporaryDirectory(prefix="mentorkit-bench-kernels-") as tmp:
        server = start_server(Path(tmp), args.cull_idle)
        killable: KillableChromium | None = None
        try:
            print(f"Serving at {server.base_url}; waiting for {pool} pre-heated kernels ...")
            wait_until(
                lambda: server.process.poll() is None and len(server.kernels()) >= pool,
                300,
                "the pools filled",
            )
            settle(server)
            counts = {"before": len(server.kernels())}
            memory = {"before": server.memory()}
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
                )
                killable = KillableChromium.start(playwright)
                half = args.visits // 2
                plan = ["polite"] * half + ["context closed"] * ((args.visits - half) // 2)
                plan += ["browser killed"] * (args.visits - len(plan))
                visits: list[Visit] = []
                for index, how in enumerate(plan):
                    notebook = APPS[index % len(APPS)]
                    holder = killable.browser if how == "browser killed" else browser
                    visits.append(open_visit(holder, server, notebook, how))
                    print(f"  visit {index + 1:>2}: {notebook:<28} {how}", flush=True)
                ids = {v.kernel_id for v in visits}
                wait_until(
                    lambda: len(server.kernels()) >= pool + len(ids), 180, "the pools refilled"
                )
                settle(server)
                counts["peak"] = len(server.kernels())
                memory["peak"] = server.memory()

                polite = ClosedTabs(
                    "polite: tab closed (shutdown request)",
                    [v.kernel_id for v in visits if v.how == "polite"],
                    SHUTDOWN_SLACK_S,
                )
                for visit in visits:
                    if visit.how == "polite":
                        visit.page.close(run_before_unload=True)
                polite.gone = watch_reclaim(server, polite.kernels, 120)

                cull_bound = args.cull_idle + cull_interval + SHUTDOWN_SLACK_S
                closed = ClosedTabs(
                    "abrupt: context closed (culled)",
                    [v.kernel_id for v in visits if v.how == "context closed"],
                    cull_bound,
                )
                killed = ClosedTabs(
                    "abrupt: browser killed (culled)",
                    [v.kernel_id for v in visits if v.how == "browser killed"],
                    cull_bound,
                )
                for visit in visits:
                    if visit.how == "context closed":
                        visit.context.close()
                killable.kill()
                gone = watch_reclaim(server, closed.kernels + killed.kernels, cull_bound * 3)
                closed.gone = {k: t for k, t in gone.items() if k in closed.kernels}
                killed.gone = {k: t for k, t in gone.items() if k in killed.kernels}
                for visit in visits:
                    if visit.how == "polite":
                        with suppress(Exception):
                            visit.context.close()
                browser.close()
            settle(server)
            counts["after"] = len(server.kernels())
            memory["after"] = server.memory()
            culled = server.culled()
            for kernel_id in polite.kernels:
                if kernel_id in culled:
                    print(f"note: the polite visit's kernel {kernel_id} was culled, not shut down")
            ok = print_report(counts, memory, [polite, closed, killed], pool, args.cull_idle)
        finally:
            if killable is not None:
                killable.cleanup()
            server.stop()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
