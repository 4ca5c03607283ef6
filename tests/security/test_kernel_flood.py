"""A kernel flood against the standalone server, performed for real.

Every Voilà page takes a kernel (about 90 MB). A hostile visitor sends plain GETs for the
journey page, many at once, without a browser and without ever connecting to the kernels;
a page on another website makes its visitors' browsers send the same GETs (a foreign
`Origin` and `Referer`). The server is `mentorkit serve` with small limits: two page
kernels per client address, seven in all, and kernels whose page has not connected within
`RECLAIM_S` seconds reclaimed. Client addresses are loopback addresses of their own
(127.0.0.2, 127.0.0.3, …), from which the requests are sent.

Kernels are counted from the server's side: the kernel processes the server started (its
process tree, `mentorkit.testing.kernel_processes`). The pre-heated pools (one kernel per
notebook) count in no limit, so the ceiling is the pools plus the limit in all.
"""

from __future__ import annotations

import asyncio
import http.client
import re
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path

import pytest

from mentorkit.apps import pool_sizes
from mentorkit.cli import ROOT
from mentorkit.jupyter.capacity import FULL_TITLE
from mentorkit.testing import ServedProcess, free_port

PER_CLIENT = 2
TOTAL = 7
RECLAIM_S = 25
#: Shutting a kernel down (a request, then a signal) on a busy machine.
SLACK_S = 30
JOURNEY = "journey.ipynb"
#: Asked for by a client once every place is taken: a notebook whose pool nobody touched.
SPARE = "facilitator/matching.ipynb"
#: The pre-heated kernels `mentorkit serve` keeps (one per notebook, none for the gallery).
POOLS = sum(pool_sizes(1).values())
FOREIGN = {"Origin": "https://elsewhere.example", "Referer": "https://elsewhere.example/x"}
KERNEL_ID = re.compile(r'"kernelId": "([0-9a-f-]{36})"')


@dataclass
class Answer:
    """A page request's answer: its status, a header, the kernel its page holds."""

    status: int
    body: str
    retry_after: str | None
    kernel_id: str | None


def get(port: int, path: str, client: str, headers: dict[str, str] | None = None) -> Answer:
    """GET `path` from the client address `client` (a loopback address of its own)."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=180, source_address=(client, 0)
    )
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        body = response.read().decode("utf-8", errors="replace")
    finally:
        connection.close()
    found = KERNEL_ID.search(body)
    return Answer(response.status, body, response.getheader("Retry-After"), found and found[1])


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} within {timeout:.0f} s"
        time.sleep(0.25)


class KernelConnection:
    """A page's connection to its kernel, as the page's scripts open it: the websocket
    `/api/kernels/<id>/channels`, held open on a thread of its own until closed."""

    def __init__(self, port: int, kernel_id: str) -> None:
        self.url = (
            f"ws://127.0.0.1:{port}/api/kernels/{kernel_id}/channels?session_id={uuid.uuid4()}"
        )
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.socket = asyncio.run_coroutine_threadsafe(self._open(), self.loop).result(60)

    async def _open(self):
        from tornado.websocket import websocket_connect

        return await websocket_connect(self.url)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.socket.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@dataclass
class Burst:
    """What the flood got: the answers by client, the kernel counts sampled all along."""

    port: int
    baseline: int
    answers: dict[str, list[Answer]] = field(default_factory=dict)
    counts: list[int] = field(default_factory=list)
    connected: KernelConnection | None = None
    refused: Answer | None = None
    ids_when_refused: set[str] = field(default_factory=set)


class Served(ServedProcess):
    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`mentorkit serve` on a demo workshop with small kernel limits, its pools filled."""
    folder = tmp_path_factory.mktemp("flood")
    database_url = f"sqlite:///{folder / 'demo.db'}"
    cli = [sys.executable, "-m", "mentorkit.cli", "--db", database_url]
    subprocess.run([*cli, "demo"], check=True, capture_output=True, cwd=ROOT)
    port = free_port()
    log = folder / "serve.log"
    limits = [
        f"--max-kernels={TOTAL}",
        f"--max-kernels-per-client={PER_CLIENT}",
        f"--reclaim-unconnected={RECLAIM_S}",
    ]
    with log.open("w") as out:
        process = subprocess.Popen(
            [*cli, "serve", "--port", str(port), *limits],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Served(f"http://127.0.0.1:{port}", process, Path(log))
    try:
        wait_until(
            lambda: process.poll() is None and len(server.kernels()) >= POOLS,
            180,
            "the pre-heated pools filled",
        )
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def burst(served: Served) -> Iterator[Burst]:
    """The attack, all at once: client A sends six GETs for the journey, client B six
    from another website's page; clients C, D and F one each (F's page then connects to
    its kernel, as a browser's does). Then, every place taken, client E asks for a page."""
    port = int(served.base_url.rsplit(":", 1)[1])
    result = Burst(port, baseline=len(served.kernels()))
    sampling = threading.Event()

    def sample() -> None:
        while not sampling.is_set():
            result.counts.append(len(served.kernels()))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    path = f"/voila/render/{JOURNEY}"
    requests = [
        *[("127.0.0.2", {}) for _ in range(6)],
        *[("127.0.0.3", FOREIGN) for _ in range(6)],
        ("127.0.0.4", {}),
        ("127.0.0.5", {}),
        ("127.0.0.7", {}),
    ]

    def visit(client: str, headers: dict[str, str]) -> tuple[str, Answer]:
        answer = get(port, path, client, headers)
        if client == "127.0.0.7" and answer.kernel_id:  # a browser: its page connects
            result.connected = KernelConnection(port, answer.kernel_id)
        return client, answer

    with ThreadPoolExecutor(len(requests)) as pool:
        answers = list(pool.map(lambda request: visit(*request), requests))
    for client, answer in answers:
        result.answers.setdefault(client, []).append(answer)
    assert result.connected, result.answers["127.0.0.7"][0].body[-2000:]
    result.ids_when_refused = set(served.kernels())
    result.refused = get(port, f"/voila/render/{SPARE}", "127.0.0.6")
    time.sleep(2)
    sampling.set()
    sampler.join()
    try:
        yield result
    finally:
        if result.connected is not None:
            result.connected.close()


def statuses(answers: list[Answer]) -> list[int]:
    return sorted(answer.status for answer in answers)


def test_a_flood_from_one_client_gets_only_its_share_of_kernels(burst: Burst):
    a = burst.answers["127.0.0.2"]
    assert statuses(a) == [200] * PER_CLIENT + [503] * (6 - PER_CLIENT)
    served_ids = {answer.kernel_id for answer in a if answer.status == 200}
    assert len(served_ids) == PER_CLIENT and None not in served_ids
    # Counted by the server's own process tree: never more than the pools and the limit.
    assert max(burst.counts) <= burst.baseline + TOTAL, burst.counts


def test_over_the_limit_the_answer_is_the_full_page_and_no_kernel(served: Served, burst):
    refused = [answer for answer in burst.answers["127.0.0.2"] if answer.status == 503]
    assert refused
    for answer in refused:
        assert answer.retry_after == "60"
        assert FULL_TITLE in unescape(answer.body)
        assert answer.kernel_id is None
        assert 'class="mentorkit-app' in answer.body  # the server's own pages' look


def test_a_client_asking_once_every_place_is_taken_starts_no_kernel(served: Served, burst):
    refused = burst.refused
    assert refused is not None and refused.status == 503, refused and refused.body[-2000:]
    assert FULL_TITLE in unescape(refused.body) and refused.kernel_id is None
    # No kernel started for it, none taken from its notebook's pool: the server says
    # which pre-heated kernel goes to which notebook, and a page's own kernel carries the
    # page's address in its environment.
    assert f"for {SPARE}" not in served.log_text()
    started_for_it = [
        kernel_id
        for kernel_id, process in served.kernels().items()
        if kernel_id not in burst.ids_when_refused
        and process.environ().get("SCRIPT_NAME", "").endswith(SPARE)
    ]
    assert started_for_it == []


def test_another_client_is_still_served_during_a_flood(burst: Burst):
    for client in ("127.0.0.4", "127.0.0.5", "127.0.0.7"):
        (answer,) = burst.answers[client]
        assert answer.status == 200 and answer.kernel_id, answer.body[-2000:]


def test_a_blind_request_from_another_website_counts_the_same(burst: Burst):
    b = burst.answers["127.0.0.3"]
    assert statuses(b) == [200] * PER_CLIENT + [503] * (6 - PER_CLIENT)


def test_kernels_whose_page_never_connected_are_reclaimed_and_a_connected_one_kept(
    served: Served, burst: Burst
):
    assert burst.connected is not None
    connected = burst.answers["127.0.0.7"][0].kernel_id
    unconnected = {
        answer.kernel_id
        for client, answers in burst.answers.items()
        if client != "127.0.0.7"
        for answer in answers
        if answer.kernel_id
    }
    assert len(unconnected) == 2 * PER_CLIENT + 2
    wait_until(
        lambda: not unconnected & set(served.kernels()),
        RECLAIM_S + SLACK_S,
        "the kernels of pages that never connected reclaimed",
    )
    assert connected in served.kernels(), "the page that connected lost its kernel"
    log = served.log_text()
    assert all(f"Reclaiming kernel {kernel_id}" in log for kernel_id in unconnected)
    # Their places are free again: the flooding client is served once more.
    again = get(burst.port, f"/voila/render/{JOURNEY}", "127.0.0.2")
    assert again.status == 200 and again.kernel_id, again.body[-2000:]
