"""A kernel flood from one client while real participants sign in, in the same run.

    python benchmarks/flood.py [--requests 200] [--participants 3] [--no-caps]

`mentorkit serve --expect P` (P participants) on a demo workshop, with the per-client
limit a server reachable from the network gets by default (`--max-kernels-per-client 4`)
and the other limits at their defaults; with `--no-caps`, every limit and the reclaiming
of unconnected kernels off (`--max-kernels 0 --max-kernels-per-client 0
--reclaim-unconnected 0`), as the server was before them.

1. **Baseline**: P participants, each in a fresh Chromium context, open the sign-in page,
   type the join code and a name of their own and press Start, all at once; their time is
   from Start to a usable worksheet in the journey page (`herd.py`'s probe). Their tabs
   then close politely and the server settles back to its pools.
2. **Flood**: one client (127.0.0.2) sends `--requests` plain GETs for the journey page,
   `--workers` at a time, never connecting to a kernel; a second later the same P
   participants sign in again, from 127.0.0.1. The flood stops sending once the server's
   memory passes `--memory-guard` GB (the machine is shared: without limits, 200 kernels
   would take about 18 GB).
3. **After**: the server `--after` seconds after the flood ended (the default reclaim time
   is 60 s), the participants still on their pages.

It prints the kernels and the memory (RSS of the Voilà server and every kernel) before,
at the peak during the flood and after; the flood's answers (pages, "full" pages, errors);
and the participants' times with and without the flood, and their ratio. Exit status 1
when, with the limits on, a participant failed or the flood got more pages than the
per-client limit.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from pathlib import Path

from playwright.async_api import Browser, async_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))

from herd import VIEWPORT, new_page, ready_after, sign_in
from voila_tti import (
    BENCH_ENV,
    CHROMIUM_ARGS,
    ROOT,
    Server,
    memory_single,
    run,
    settle,
    start,
    stop,
    wait_until_answering,
)

from mentorkit.apps import pool_sizes
from mentorkit.jupyter.capacity import PER_CLIENT_DEFAULT, RECLAIM_UNCONNECTED_DEFAULT
from mentorkit.testing import CHROMIUM, free_port

GB = 1024**3
FLOODER = "127.0.0.2"
JOURNEY = "/voila/render/journey.ipynb"


@dataclass
class Snapshot:
    kernels: int
    rss: float


def snapshot(server: Server) -> Snapshot:
    """The server's kernels and memory now (RSS of every process, kernels included)."""
    processes = server.processes()
    return Snapshot(len(server.kernels()), sum(memory_single(p)[0] for p in processes))


class Peak:
    """The most kernels and memory a server held while it is watched (every 0.5 s)."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.kernels = 0
        self.rss = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            now = snapshot(self.server)
            self.kernels = max(self.kernels, now.kernels)
            self.rss = max(self.rss, now.rss)
            self._stop.wait(0.5)

    def __enter__(self) -> Peak:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Flood:
    """One client's GETs: the answers by status, and how many were never sent (guard)."""

    answers: Counter[str] = field(default_factory=Counter)
    unsent: int = 0
    seconds: float = 0.0


def flood(
    server: Server, port: int, requests: int, workers: int, guard: float, result: Flood
) -> None:
    """Send the GETs from `FLOODER`, `workers` at a time; stop sending past `guard` bytes."""
    stopped = threading.Event()

    def one(_: int) -> None:
        if stopped.is_set() or snapshot(server).rss > guard:
            stopped.set()
            result.unsent += 1
            return
        try:
            connection = http.client.HTTPConnection(
                "127.0.0.1", port, timeout=300, source_address=(FLOODER, 0)
            )
            connection.request("GET", JOURNEY)
            response = connection.getresponse()
            response.read()
            connection.close()
            kind = {200: "page", 503: "full"}.get(response.status, f"HTTP {response.status}")
        except Exception as exc:  # a timeout, a reset connection: the flood's problem
            kind = f"error ({type(exc).__name__})"
        result.answers[kind] += 1

    started = time.monotonic()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, range(requests)))
    result.seconds = time.monotonic() - started


async def participants(
    browser: Browser, base: str, join_code: str, count: int, timeout: float, label: str
) -> tuple[list[float | None], list]:
    """`count` participants signing in at once: ms from Start to a usable worksheet (None:
    never), and their browser contexts (still open)."""

    async def one(number: int) -> tuple[float | None, object]:
        context = await browser.new_context(viewport=VIEWPORT)
        page = await new_page(context)
        found = await ready_after(page, f"{base}/start?step=01_self_assessment", timeout)
        if found is None:
            return None, context
        return await sign_in(page, join_code, f"Flood {label} participant {number}", timeout), (
            context
        )

    results = await asyncio.gather(*(one(n) for n in range(1, count + 1)))
    return [ms for ms, _ in results], [context for _, context in results]


async def leave(contexts: Sequence) -> None:
    """Close the participants' tabs politely (the page asks the server to shut its kernel)."""
    for context in contexts:
        for page in context.pages:
            with suppress(Exception):
                await page.close(run_before_unload=True)
    await asyncio.sleep(2)
    for context in contexts:
        with suppress(Exception):
            await context.close()


def wait_for_kernels(server: Server, at_most: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while len(server.kernels()) > at_most and time.monotonic() < deadline:
        time.sleep(0.5)


def summary(times: Sequence[float | None]) -> str:
    usable = sorted(t for t in times if t is not None)
    failed = len(times) - len(usable)
    if not usable:
        return f"none usable ({failed} failed)"
    text = f"median {statistics.median(usable) / 1000:.1f} s, max {usable[-1] / 1000:.1f} s"
    return text + (f", {failed} failed" if failed else "")


def median(times: Sequence[float | None]) -> float | None:
    usable = [t for t in times if t is not None]
    return statistics.median(usable) if usable else None


async def measure(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="mentorkit-flood-") as tmp, ExitStack() as stack:
        folder = Path(tmp)
        database_url = f"sqlite:///{folder / 'flood.db'}"
        cli = [sys.executable, "-m", "mentorkit.cli", "--db", database_url]
        printed = run([*cli, "demo"], cwd=ROOT)
        join_code = next(
            line.split(":", 1)[1].split()[0] for line in printed.splitlines() if "Join code" in line
        )
        port = free_port()
        serve = [*cli, "serve", "--port", str(port), "--expect", str(args.participants)]
        if args.no_caps:
            limits = ["--max-kernels=0", "--max-kernels-per-client=0", "--reclaim-unconnected=0"]
        else:
            limits = [f"--max-kernels-per-client={PER_CLIENT_DEFAULT}"]
        serve += limits
        print(f"server: mentorkit serve {' '.join(serve[serve.index('serve') + 1 :])}")
        server = start("apps", serve, f"http://127.0.0.1:{port}", folder, env=BENCH_ENV, cwd=ROOT)
        stack.callback(stop, server)
        wait_until_answering(server)
        pools = sum(pool_sizes(args.participants).values())
        wait_for_kernels_at_least(server, pools, 300)
        settle([server], timeout=120)
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")

        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
            # Warm-up: the server's first pages compile its templates.
            _, contexts = await participants(browser, server.base_url, join_code, 1, 180, "warm")
            await leave(contexts)
            wait_for_kernels(server, pools, 90)
            wait_for_kernels_at_least(server, pools, 120)  # the pools refilled
            settle([server], timeout=60)

            before = snapshot(server)
            baseline, contexts = await participants(
                browser, server.base_url, join_code, args.participants, args.timeout, "alone"
            )
            await leave(contexts)
            wait_for_kernels(server, pools, 90)
            wait_for_kernels_at_least(server, pools, 120)  # the pools refilled
            settle([server], timeout=60)

            result = Flood()
            guard = args.memory_guard * GB
            with Peak(server) as peak:
                flooding = threading.Thread(
                    target=flood,
                    args=(server, port, args.requests, args.workers, guard, result),
                    daemon=True,
                )
                flooding.start()
                await asyncio.sleep(1)
                during, contexts = await participants(
                    browser, server.base_url, join_code, args.participants, args.timeout, "flood"
                )
                await asyncio.to_thread(flooding.join)
            await asyncio.sleep(args.after)
            after = snapshot(server)
            await leave(contexts)
            await browser.close()

        mode = "limits OFF" if args.no_caps else "limits ON"
        print(f"\nKernel flood, {mode}: {args.requests} GETs of the journey from one client")
        print(f"{'':22} {'kernels':>8} {'memory (server + kernels)':>27}")
        rows = [
            ("before", before.kernels, before.rss),
            ("during (peak)", peak.kernels, peak.rss),
            (f"after (+{args.after:.0f} s)", after.kernels, after.rss),
        ]
        for label, kernels, rss in rows:
            print(f"{label:22} {kernels:>8} {rss / GB:>24.2f} GB")
        answers = ", ".join(f"{count} {kind}" for kind, count in sorted(result.answers.items()))
        print(f"flood answers: {answers}; in {result.seconds:.0f} s")
        if result.unsent:
            print(
                f"flood stopped sending after the server passed {args.memory_guard:g} GB: "
                f"{result.unsent} GETs not sent"
            )
        print(f"participants ({args.participants}), Start to a usable worksheet:")
        print(f"  alone (baseline): {summary(baseline)}")
        print(f"  during the flood: {summary(during)}")
        ratio = median(during), median(baseline)
        if ratio[0] is not None and ratio[1]:
            print(f"  ratio of medians (flood / alone): {ratio[0] / ratio[1]:.2f}")
        if args.no_caps:
            return 0
        ok = all(t is not None for t in during) and result.answers["page"] <= PER_CLIENT_DEFAULT
        return 0 if ok else 1


def wait_for_kernels_at_least(server: Server, count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while len(server.kernels()) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"the pools did not fill ({count} kernels) within {timeout:.0f} s")
        time.sleep(0.5)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="GETs of the flood")
    parser.add_argument("--workers", type=int, default=20, help="GETs in flight at once")
    parser.add_argument("--participants", type=int, default=3, help="real participants")
    parser.add_argument("--timeout", type=float, default=240, help="seconds per participant")
    parser.add_argument(
        "--after",
        type=float,
        default=RECLAIM_UNCONNECTED_DEFAULT + 15,
        help="seconds after the flood before the last look",
    )
    parser.add_argument(
        "--memory-guard", type=float, default=5.0, help="GB at which the flood stops sending"
    )
    parser.add_argument("--no-caps", action="store_true", help="serve without any limit")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    return asyncio.run(measure(args))


if __name__ == "__main__":
    sys.exit(main())
