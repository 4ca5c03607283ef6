"""A `mentorkit serve` started as a facilitator starts it, the pages it serves, what it
prints (the address, and none of the lines a facilitator can do nothing about), and its
stop as a facilitator stops it."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import psutil
from websockets.sync.client import connect

from mentorkit.apps import pool_sizes
from mentorkit.testing import ServedProcess, ask_kernel_info, free_port

#: Bounds on waiting, not measurements: a busy 2-core machine is slow to start kernels.
START_SECONDS = 240
#: Two worksheets a participant opens.
WORKSHEETS = ("01_self_assessment.ipynb", "04_smart_goals.ipynb")
#: Lines that once filled the output of every run: Jupyter's notebook-signature check
#: ("Notebook … is not trusted", for every page and pool kernel), the kernels' plain-text
#: transport ("Kernel is running over TCP without encryption", for every kernel), and
#: traitlets on the pool option; and any other warning.
NOISE = re.compile(r"is not trusted|without encryption|deprecat|warning", re.IGNORECASE)
#: Bound on the wait for a stopped server to end (it shuts every kernel down first).
STOP_SECONDS = 60
#: Lines of a traceback or an error report, such as kernels printed when the server
#: stopped: Jupyter interrupted each kernel before shutting it down.
FAILURE = re.compile(r"Traceback|Exception|KeyboardInterrupt|Error")


def start_serve(
    command: list[str], *, cwd: Path, env: dict[str, str], log: Path
) -> tuple[ServedProcess, int]:
    """`command` (a `mentorkit serve` without --port) on a free port, in a session of its
    own, everything it prints going to `log`; the server and its port."""
    port = free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            [*command, "--port", str(port)],
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return ServedProcess(f"http://127.0.0.1:{port}", process, log), port


def wait_until_pools_are_filled(served: ServedProcess) -> None:
    """Wait until the server has a pre-heated kernel for every app (each one read its
    notebook, the moment the signature check used to warn)."""
    expected = {name for name, size in pool_sizes().items() if size}
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if served.process.poll() is not None:
            raise AssertionError(f"the server exited:\n{served.log.read_text()}")
        filled = set(re.findall(r"Kernel pool of (\S+) is filled", served.log.read_text()))
        if expected <= filled:
            return
        time.sleep(0.5)
    raise AssertionError(f"the pools were not filled:\n{served.log.read_text()}")


def wait_until_kernels_listen(served: ServedProcess) -> None:
    """Wait until every kernel of the server listens on its five ports (shell, iopub,
    stdin, control, heartbeat): started, and about to run its notebook, or running it."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        kernels = served.kernels().values()
        try:
            listening = [
                sum(c.status == psutil.CONN_LISTEN for c in kernel.net_connections("tcp"))
                for kernel in kernels
            ]
        except psutil.Error:
            listening = []
        if listening and min(listening) >= 5:
            return
        time.sleep(0.2)
    raise AssertionError(f"the kernels did not start:\n{served.log.read_text()}")


def fetch(url: str) -> tuple[int, str]:
    """GET `url`: its status and body."""
    try:
        with urllib.request.urlopen(url, timeout=START_SECONDS) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def open_worksheet(served: ServedProcess, notebook: str) -> str:
    """Render a worksheet as a browser's first request does; checks that the kernel ran
    the app (the page holds its widget), and returns the page's kernel id."""
    status, body = fetch(served.url(notebook))
    assert status == 200, body[:500]
    assert f"<title>{Path(notebook).stem}</title>" in body, body[:500]
    assert "application/vnd.jupyter.widget-view+json" in body, "the app's widget is missing"
    found = re.search(r'"kernelId": "([0-9a-f-]+)"', body)
    assert found, body[:500]
    return found[1]


def kernel_answers(served: ServedProcess, port: int, kernel_id: str) -> bool:
    """Whether the page's kernel answers a kernel_info_request over the page's websocket,
    as the page's scripts reach it."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    url = f"ws://127.0.0.1:{port}/api/kernels/{kernel_id}/channels?session_id={uuid.uuid4()}"
    with connect(url, sock=sock, open_timeout=60, max_size=None) as channel:
        return ask_kernel_info(channel, seconds=START_SECONDS)


def noise(log: Path) -> list[str]:
    """The lines of `log` a facilitator should not have to read (`NOISE`)."""
    return [line for line in log.read_text().splitlines() if NOISE.search(line)]


def stop_as_a_person(served: ServedProcess, *, whole_group: bool) -> tuple[int, list[str]]:
    """Stop the server as a facilitator does: Ctrl+C in its terminal (SIGINT to the whole
    foreground process group) when `whole_group`, else `kill` (SIGTERM to the server
    alone); its exit status and the lines it printed from then on."""
    served.kernels()  # noted, so that `ServedProcess.stop` ends any left behind
    before = len(served.log.read_text())
    if whole_group:
        os.killpg(served.process.pid, signal.SIGINT)
    else:
        served.process.send_signal(signal.SIGTERM)
    status = served.process.wait(timeout=STOP_SECONDS)
    return status, served.log.read_text()[before:].splitlines()


def kernels_left(log: Path) -> list[psutil.Process]:
    """The kernels still running of the server that printed `log`: every process whose
    command line names the server's folder of connection files, wherever it was started
    (kernels run in sessions of their own, and one started as the server stopped was never
    seen running)."""
    found = re.search(r"Storing connection files in (\S+?)\.?$", log.read_text(), re.MULTILINE)
    assert found, "the server did not say where it keeps its kernels' connection files"
    folder = found[1]
    left = []
    for process in psutil.process_iter():
        try:
            if process.status() != psutil.STATUS_ZOMBIE and any(
                f"{folder}/" in argument for argument in process.cmdline()
            ):
                left.append(process)
        except psutil.Error:
            continue
    return left
