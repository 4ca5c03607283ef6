"""Voilà's query-socket handshake: how a pre-heated kernel receives its visitor's request."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Mapping
from typing import Any

log = logging.getLogger("mentorkit")

#: How long a pre-heated kernel keeps trying to reach the server for its visitor's request.
REQUEST_WAIT_SECONDS = 120.0


def wait_for_request(environ: Mapping[str, str]) -> None:
    """In a kernel Voilà pre-heated, wait until a visitor's request is handed over.

    With `preheat_kernel`, Voilà runs a notebook before anyone asks for the page, so that
    the page is ready the moment someone does; the request itself (QUERY_STRING: a personal
    link's resume code, a prefilled join code) reaches the kernel only through Voilà's
    `voila/query/<kernel id>` websocket. This reads it into os.environ as
    `voila.utils.wait_for_request` does, without importing Voilà's server into every kernel
    (about 45 MB each). Anywhere else (no pre-heating, JupyterLab, a test passing its own
    environ) it returns at once.
    """
    if environ is not os.environ or os.environ.get("VOILA_PREHEAT") != "True":
        return
    import json
    import threading

    import websockets
    from websockets.version import version as websockets_version

    env = os.environ
    base = env.get("VOILA_WS_BASE_URL", env.get("VOILA_SERVER_URL", "/"))
    url = (
        f"{env.get('VOILA_WS_PROTOCOL', 'ws')}://{env.get('VOILA_APP_IP', '127.0.0.1')}:"
        f"{env.get('VOILA_APP_PORT', '8866')}{base}voila/query/{env.get('VOILA_KERNEL_ID', '')}"
    )
    received: list[str | bytes] = []
    # Only the kernel itself may read its request (mentorkit.jupyter.server): it proves
    # who it is with the key that signs its messages. (websockets 14 renamed the option.)
    headers = _kernel_proof_headers(env.get("VOILA_KERNEL_ID", ""))
    option = "additional_headers" if int(websockets_version.split(".")[0]) >= 14 else ""
    connect_options: dict[str, Any] = {option or "extra_headers": headers}

    async def receive() -> None:
        # A busy server can be slow to accept: keep trying (it keeps the request for a
        # kernel that connects late) rather than render the page without its ?resume=.
        deadline = time.monotonic() + REQUEST_WAIT_SECONDS
        while True:
            try:
                async with websockets.connect(url, open_timeout=10, **connect_options) as socket:
                    received.append(await socket.recv())
                    return
            except (OSError, TimeoutError, websockets.WebSocketException):
                if time.monotonic() > deadline:
                    log.warning("mentorkit: no request details from %s", url, exc_info=True)
                    return
                await asyncio.sleep(0.5)

    # The kernel's own event loop runs in this thread: wait in another one.
    waiter = threading.Thread(target=lambda: asyncio.run(receive()), daemon=True)
    waiter.start()
    waiter.join()
    if received:
        env.update(json.loads(received[0]))


def _kernel_proof_headers(kernel_id: str) -> dict[str, str]:
    """The header proving to the server that this process is kernel `kernel_id` (see
    `mentorkit.jupyter.kernel_proof`); none outside a kernel."""
    from mentorkit.jupyter import KERNEL_PROOF_HEADER, kernel_proof

    try:
        from IPython import get_ipython

        key = get_ipython().kernel.session.key
    except (ImportError, AttributeError):
        return {}
    return {KERNEL_PROOF_HEADER: kernel_proof(key, kernel_id)} if key else {}
