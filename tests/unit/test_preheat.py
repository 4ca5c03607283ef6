"""A pre-heated kernel learns its visitor's request (?resume=, ?join=) from the server."""

import asyncio
import json
import os
import socket
import threading
import time

import pytest
import websockets

from mentorkit.jupyter.handshake import wait_for_request


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve_request_later(port: int, delay: float, request: dict[str, str]) -> threading.Thread:
    """A stand-in for Voilà's voila/query socket that starts accepting only after `delay`."""
    paths: list[str] = []

    async def handler(connection: websockets.ServerConnection) -> None:
        paths.append(connection.request.path)
        await connection.send(json.dumps(request))

    async def run() -> None:
        await asyncio.sleep(delay)
        async with websockets.serve(handler, "127.0.0.1", port):
            await asyncio.sleep(5)

    server = threading.Thread(target=lambda: asyncio.run(run()), daemon=True)
    server.paths = paths  # type: ignore[attr-defined]
    server.start()
    return server


@pytest.fixture
def preheated(monkeypatch: pytest.MonkeyPatch) -> int:
    port = _free_port()
    for name, value in {
        "VOILA_PREHEAT": "True",
        "VOILA_APP_IP": "127.0.0.1",
        "VOILA_APP_PORT": str(port),
        "VOILA_SERVER_URL": "/",
        "VOILA_KERNEL_ID": "kernel-7",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("VOILA_WS_BASE_URL", raising=False)
    monkeypatch.delenv("QUERY_STRING", raising=False)
    return port


@pytest.mark.slow
def test_the_request_reaches_the_kernel_even_when_the_server_is_slow_to_accept(preheated):
    server = _serve_request_later(preheated, 1.5, {"QUERY_STRING": "resume=ABCD-EFGH"})
    started = time.monotonic()
    wait_for_request(os.environ)
    assert os.environ["QUERY_STRING"] == "resume=ABCD-EFGH"
    assert time.monotonic() - started >= 1.5  # it waited for the server, not gave up
    assert server.paths == ["/voila/query/kernel-7"]  # type: ignore[attr-defined]


def test_without_preheating_or_with_an_environ_of_its_own_it_returns_at_once(preheated):
    own = {"QUERY_STRING": "join=ABC"}
    wait_for_request(own)  # a test or JupyterLab passing its own environ
    assert own == {"QUERY_STRING": "join=ABC"}
    os.environ["VOILA_PREHEAT"] = "False"
    wait_for_request(os.environ)
    assert "QUERY_STRING" not in os.environ
