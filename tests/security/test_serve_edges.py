"""Attacks on the edges of a real `mentorkit serve`: a foreign `Host` (DNS rebinding), a
10 MB websocket message, reading a kernel's request at `voila/query/<kernel id>`, and
`kill <pid>` (SIGTERM, SIGHUP) leaving Voilà and its kernels running.

One server (a token, a public URL) serves every attack but the signals; each signal gets a
server of its own, which it stops."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from mentorkit.apps import pool_sizes
from mentorkit.jupyter import KERNEL_PROOF_HEADER, kernel_proof
from mentorkit.testing import (
    ServedProcess,
    ask_kernel_info,
    free_port,
    kernel_message,
    kernel_processes,
    process_tree,
)

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.prefix) / "bin"
TOKEN = "edge-token-8d1e"
PUBLIC_HOST = "workshop-edges.example.org"
FOREIGN_HOST = "rebound.attacker.example"
#: An app whose pool kernel the query attack uses, and two whose kernels the message one does.
QUERY_APP = "01_self_assessment.ipynb"
MESSAGE_APPS = ("02_mentor_shortlist.ipynb", "03_expectations.ipynb")
#: Bounds on waiting, not measurements: a busy 2-core machine is slow to start kernels.
START_SECONDS = 180
STOP_SECONDS = 60
AUTH = {"Authorization": f"token {TOKEN}"}


def start_serve(folder: Path, *options: str, env: dict[str, str] | None = None) -> ServedProcess:
    """`mentorkit serve` on a free port with an empty database in `folder`, in a session of
    its own, once its static files answer."""
    return wait_until_served(launch_serve(folder, *options, env=env))


def launch_serve(folder: Path, *options: str, env: dict[str, str] | None = None) -> ServedProcess:
    """`mentorkit serve` on a free port with an empty database in `folder`, in a session of
    its own, just started."""
    port = free_port()
    database = f"sqlite:///{folder / 'edges.db'}"
    command = [str(BIN / "mentorkit"), "--db", database, "serve", "--port", str(port), *options]
    log = folder / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return ServedProcess(f"http://127.0.0.1:{port}", process, log)


def wait_until_served(served: ServedProcess) -> ServedProcess:
    """`served`, once its static files answer (stopped, and an error, if they never do)."""
    process, log = served.process, served.log
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited:\n{log.read_text()}")
        try:
            if request(served, "/voila/static/voila.js")[0] == 200:
                return served
        except OSError:
            pass
        time.sleep(0.5)
    served.stop()
    raise AssertionError(f"the server did not answer:\n{log.read_text()}")


def port_of(served: ServedProcess) -> int:
    return int(served.base_url.rsplit(":", 1)[1])


def request(
    served: ServedProcess,
    path: str,
    *,
    host: str = "127.0.0.1",
    method: str = "GET",
    body: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, str]:
    """Send one request to the server (whatever it is called in `host`); status and body."""
    connection = http.client.HTTPConnection("127.0.0.1", port_of(served), timeout=120)
    try:
        connection.putrequest(method, path, skip_host=True)
        connection.putheader("Host", f"{host}:{port_of(served)}")
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        payload = body.encode() if body is not None else None
        if payload is not None:
            connection.putheader("Content-Type", "application/x-www-form-urlencoded")
            connection.putheader("Content-Length", str(len(payload)))
        connection.endheaders(payload)
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        connection.close()


def websocket(
    served: ServedProcess, path: str, *, host: str = "127.0.0.1", **headers: str
) -> ClientConnection:
    """A websocket to the server at `path`, asking for it as `host`."""
    port = port_of(served)
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    return connect(
        f"ws://{host}:{port}{path}",
        sock=sock,
        additional_headers=headers,
        open_timeout=60,
        max_size=None,
    )


def wait_for_log(served: ServedProcess, pattern: str) -> re.Match[str]:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        found = re.search(pattern, served.log.read_text())
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"{pattern!r} never appeared in the server's log")


def open_page(served: ServedProcess, notebook: str, query: str = "") -> str:
    """Render an app page, as a browser's first request does; its kernel's id."""
    status, body = request(served, f"/voila/render/{notebook}{query}", headers=AUTH)
    assert status == 200, body[:500]
    found = re.search(r'"kernelId": "([0-9a-f-]+)"', body)
    assert found, body[:500]
    return found[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedProcess]:
    """`mentorkit serve` with a token (from the environment) and a public URL, its
    pre-heated kernels ready (every pool filled: one still starting would be taken for a
    kernel an attack started)."""
    served = start_serve(
        tmp_path_factory.mktemp("edges"),
        "--public-url",
        f"https://{PUBLIC_HOST}/",
        env={"MENTORKIT_TOKEN": TOKEN},
    )
    try:
        for notebook, size in pool_sizes().items():
            if size:
                wait_for_log(served, rf"Kernel pool of {re.escape(notebook)} is filled")
        yield served
    finally:
        served.stop()


def test_a_foreign_host_name_is_refused_everywhere_and_starts_no_kernel(server):
    kernels_before = set(server.kernels())
    hand_outs_before = server.log.read_text().count("Using pre-heated kernel")
    attempts: list[dict[str, Any]] = [
        {"path": "/"},
        {"path": f"/?token={TOKEN}"},
        {"path": f"/voila/render/{QUERY_APP}", "headers": AUTH},
        {"path": f"/voila/render/{QUERY_APP}?theme=dark", "headers": AUTH},  # no pool kernel
        {"path": "/start?step=01_self_assessment", "headers": AUTH},
        {"path": "/start", "method": "POST", "body": "action=join&join=ABCD-EFGH&who=Ada"},
        {"path": "/login"},
        {"path": "/voila/static/voila.js"},
        {"path": "/voila/files/index.ipynb"},
    ]
    for attempt in attempts:
        status, body = request(server, host=FOREIGN_HOST, **attempt)
        assert status == 403, (attempt, status, body[:300])
        assert "jupyter-config-data" not in body and "kernelId" not in body
    # The kernel websocket of a running kernel, asked for under the foreign name.
    running = next(iter(kernels_before))
    with pytest.raises(InvalidStatus) as refused:
        websocket(server, f"/api/kernels/{running}/channels", host=FOREIGN_HOST, **AUTH)
    assert refused.value.response.status_code == 403
    assert set(server.kernels()) <= kernels_before  # no kernel started
    assert server.log.read_text().count("Using pre-heated kernel") == hand_outs_before


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", PUBLIC_HOST])
def test_the_servers_own_names_are_served(server, host):
    status, body = request(server, "/", host=host, headers=AUTH)
    assert status == 200 and "Workshop apps" in body


def test_code_sent_to_a_pages_kernel_is_never_run(server, tmp_path):
    """A page's websocket carries widget messages only: a request that runs code or reads
    the kernel's namespace (execute, inspect, complete, history) never reaches the kernel."""
    marker = tmp_path / "ran.txt"
    code = f"open({str(marker)!r}, 'w').write('ran')"
    requests = {
        "execute_request": {"code": code, "silent": False, "store_history": True},
        "inspect_request": {"code": "open", "cursor_pos": 4, "detail_level": 1},
        "complete_request": {"code": "import o", "cursor_pos": 8},
        "history_request": {"output": True, "raw": True, "hist_access_type": "tail", "n": 5},
    }
    kernel_id = open_page(server, MESSAGE_APPS[0])
    channels = f"/api/kernels/{kernel_id}/channels?session_id={uuid.uuid4().hex}"
    attempts: set[str] = set()
    heard: list[dict[str, Any]] = []
    with websocket(server, channels, **AUTH) as channel:
        for msg_type, content in requests.items():
            message = kernel_message(msg_type)
            message["content"] = content
            attempts.add(message["header"]["msg_id"])
            channel.send(json.dumps(message))
        # The kernel handles its shell requests in order: once it has answered this one,
        # it would have answered those before it.
        last = kernel_message("kernel_info_request")
        channel.send(json.dumps(last))
        while True:
            heard.append(json.loads(channel.recv(timeout=START_SECONDS)))
            parent = heard[-1].get("parent_header", {}).get("msg_id")
            if parent == last["header"]["msg_id"] and heard[-1]["msg_type"] == "kernel_info_reply":
                break
    answers = [m for m in heard if m.get("parent_header", {}).get("msg_id") in attempts]
    assert [m["msg_type"] for m in answers] == []
    assert not marker.exists()


def test_a_10_mb_websocket_message_closes_that_socket_and_no_other(server):
    attacker = open_page(server, MESSAGE_APPS[0])
    visitor = open_page(server, MESSAGE_APPS[1])
    channels = "/api/kernels/{}/channels?session_id=" + uuid.uuid4().hex
    with (
        websocket(server, channels.format(attacker), **AUTH) as flood,
        websocket(server, channels.format(visitor), host=PUBLIC_HOST, **AUTH) as page,
    ):
        # a large message of the allowed size
        assert ask_kernel_info(page, seconds=START_SECONDS, note="x" * 500_000)
        flood_message = json.dumps(kernel_message("kernel_info_request", note="x" * 10_000_000))
        with pytest.raises(ConnectionClosed):  # the server cuts it off while it is sent
            flood.send(flood_message)
            while True:  # or, at the latest, after what the kernel said before
                flood.recv(timeout=START_SECONDS)
        # the other page's socket still works
        assert ask_kernel_info(page, seconds=START_SECONDS)
    assert request(server, "/", headers=AUTH)[0] == 200
    assert visitor in server.kernels() and attacker in server.kernels()


def connection_key(served: ServedProcess, kernel_id: str) -> bytes:
    """The key that signs a kernel's messages, from its connection file (which the
    server's own user, running these tests, can read)."""
    kernel = kernel_processes(served.process.pid)[kernel_id]
    path = next(arg for arg in kernel.cmdline() if arg.endswith(f"kernel-{kernel_id}.json"))
    return json.loads(Path(path).read_text())["key"].encode()


def test_a_kernels_request_is_for_that_kernel_only_and_read_once(server):
    resume = "QK7M-2XPA-H9RD-4TZB"
    kernel_id = open_page(server, QUERY_APP, f"?token={TOKEN}&resume={resume}")
    assert f"Using pre-heated kernel: {kernel_id}" in server.log.read_text()
    path = f"/voila/query/{kernel_id}"
    # Without the token, with it (every visitor of a workshop has it), with a made-up proof.
    for headers in [{}, AUTH, {KERNEL_PROOF_HEADER: "0" * 64}]:
        with pytest.raises(InvalidStatus) as refused:
            websocket(server, path, **headers)
        assert refused.value.response.status_code == 403, headers
    with pytest.raises(InvalidStatus):
        websocket(server, f"{path}?token={TOKEN}")
    # Even the kernel itself gets nothing a second time: the request has been read.
    proof = kernel_proof(connection_key(server, kernel_id), kernel_id)
    again = websocket(server, path, **{KERNEL_PROOF_HEADER: proof})
    with again, pytest.raises(ConnectionClosed):
        received = again.recv(timeout=STOP_SECONDS)
        raise AssertionError(f"the request was sent again: {received!r}")


def connection_folders(processes: list[psutil.Process]) -> set[str]:
    """The folders of the kernels' connection files (Voilà's, one per server)."""
    folders: set[str] = set()
    for process in processes:
        try:
            for argument in process.cmdline():
                if re.search(r"kernel-[0-9a-f-]+\.json$", argument):
                    folders.add(str(Path(argument).parent))
        except psutil.Error:
            continue
    return folders


def still_running(folders: set[str]) -> list[psutil.Process]:
    """Every process on the machine whose command line names one of `folders`."""
    found = []
    for process in psutil.process_iter(["cmdline"]):
        arguments = process.info["cmdline"] or []
        if any(folder in argument for folder in folders for argument in arguments):
            found.append(process)
    return found


def test_kill_of_mentorkit_serve_with_sigterm_or_sighup_stops_voila_and_every_kernel(tmp_path):
    """`kill <pid>` (systemd, Docker) and `kill -HUP <pid>`, each to a server of its own,
    started together to save time; each is sent to the `mentorkit serve` process alone."""
    signals = {"SIGTERM": signal.SIGTERM, "SIGHUP": signal.SIGHUP}
    servers: dict[str, ServedProcess] = {}
    trees: list[psutil.Process] = []
    try:
        for name in signals:
            (tmp_path / name).mkdir()
            servers[name] = launch_serve(tmp_path / name)
        for name, signum in signals.items():
            served = wait_until_served(servers[name])
            deadline = time.monotonic() + START_SECONDS
            while len(served.kernels()) < 2 and time.monotonic() < deadline:
                time.sleep(0.5)
            tree = process_tree(served.process.pid)
            trees.extend(tree)
            assert len(served.kernels()) >= 2 and len(tree) >= 4, (name, tree)
            folders = connection_folders(tree)
            os.kill(served.process.pid, signum)
            _, alive = psutil.wait_procs(tree, timeout=STOP_SECONDS)
            assert not alive, (name, alive)
            assert folders and not still_running(folders), name
            assert served.process.wait() == 0, name  # a stop asked for is no failure
    finally:
        for served in servers.values():
            served.stop()
        for process in trees:  # what a failed stop left behind (the server's group is gone)
            with contextlib.suppress(psutil.Error):
                process.kill()
