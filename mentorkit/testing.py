"""What the browser tests, the deployment test and the benchmarks share to drive a served
mentorkit: Debian's Chromium and how to start it, free ports, process trees and kernels.

Kept in the package (not in tests/) so that the scripts in benchmarks/ use the very same
settings as the tests; the package never reaches back into benchmarks/. psutil (the `test`
extra) is imported only where it is needed.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    import psutil
    from websockets.sync.client import ClientConnection

    from mentorkit.identity import Identity
    from mentorkit.store import Store
    from mentorkit.ui.shell import Session

#: Debian's Chromium; no browser is ever downloaded.
CHROMIUM = os.environ.get("MENTORKIT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def chromium_launch_options() -> dict[str, Any]:
    """Playwright's `launch()` options for Debian's Chromium, headless."""
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


def chromium_missing() -> str | None:
    """Why Chromium cannot be started here, or None when it can."""
    if Path(CHROMIUM).exists():
        return None
    return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"


def unavailable(reason: str) -> NoReturn:
    """A browser or tool a test needs is missing: in CI (CI=true) a failure, elsewhere a skip."""
    import pytest

    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def postgres_test_url() -> str:
    """MENTORKIT_TEST_PG, the PostgreSQL database tests may use; without it, in CI a
    failure, elsewhere a skip (`unavailable`)."""
    url = os.environ.get("MENTORKIT_TEST_PG", "").strip()
    if not url:
        unavailable(
            "MENTORKIT_TEST_PG is not set: set it to a database such as "
            "postgresql+psycopg:///mentorkit_test to test PostgreSQL (CI must)"
        )
    return url


#: Where `free_port` looks when the system's ephemeral range is unknown (not Linux).
_EPHEMERAL_FALLBACK = (32768, 60999)
#: The lowest port `free_port` hands out (below it are the well-known and common services).
_LOWEST_PORT = 20000


def _ephemeral_ports() -> tuple[int, int]:
    """The range the system picks a port from when a program binds port 0."""
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return _EPHEMERAL_FALLBACK


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now, for a server a test
    starts with --port.

    It is chosen below the system's ephemeral range: every kernel started meanwhile (a
    server's pools, the other test process) binds its five ports by asking the system for
    any free port, which comes from that range, so none of them can take this one in the
    moment before the server binds it."""
    low, _high = _ephemeral_ports()
    chooser = random.SystemRandom()
    for _attempt in range(200):
        port = chooser.randrange(_LOWEST_PORT, max(low, _LOWEST_PORT + 1000))
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as probe:  # a crowded machine: any port the system gives
        probe.bind(("127.0.0.1", 0))
        found: int = probe.getsockname()[1]
        return found


def stop_process_group(process: subprocess.Popen[Any], *, timeout: float = 20) -> None:
    """Stop a server started with `start_new_session=True`, and everything in its group:
    SIGTERM, then SIGKILL if it has not ended within `timeout` seconds."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def process_tree(pid: int) -> list[psutil.Process]:
    """A process and everything it started, including kernels, which run in sessions of
    their own (so the process group does not find them); empty once it has gone."""
    import psutil

    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def kernel_processes(pid: int) -> dict[str, psutil.Process]:
    """The running kernels a server `pid` started, by kernel id (read from the name of the
    connection file on their command line)."""
    import psutil

    found: dict[str, psutil.Process] = {}
    for process in process_tree(pid):
        try:
            if process.status() == psutil.STATUS_ZOMBIE:
                continue
            for argument in process.cmdline():
                name = Path(argument).name
                if name.startswith("kernel-") and name.endswith(".json"):
                    found[name.removeprefix("kernel-").removesuffix(".json")] = process
        except psutil.Error:
            continue
    return found


def served_pages() -> list[str]:
    """Every page the server renders with a kernel: each app (mentorkit.apps). The
    gallery is not one: the server renders it itself (mentorkit.jupyter.pages)."""
    from mentorkit.apps import APPS

    return [app.notebook for app in APPS]


@dataclass
class ServedProcess:
    """A server a test or benchmark started in a session of its own, and the kernels it
    has been seen to run (kernels run in sessions of their own, so stopping the server's
    group can leave one behind)."""

    base_url: str
    process: subprocess.Popen[Any]
    log: Path
    seen_kernels: set[int] = field(default_factory=set)

    def url(self, notebook: str) -> str:
        return f"{self.base_url}/voila/render/{notebook}"

    def kernels(self) -> dict[str, psutil.Process]:
        """The running kernels, by kernel id."""
        found = kernel_processes(self.process.pid)
        self.seen_kernels.update(process.pid for process in found.values())
        return found

    def stop(self) -> None:
        """Stop the server, then any of its kernels that outlived it."""
        import psutil

        stop_process_group(self.process)
        for pid in self.seen_kernels:
            try:
                psutil.Process(pid).kill()
            except psutil.Error:
                continue


def sign_in_rostered(store: Store, code: str, email: str) -> Identity:
    """Sign in for the first time as the rostered participant with `email`, as they would
    with the invite code from their invitation (issued here anew: the old one stops)."""
    from mentorkit.identity import claim_invite, reset_invite_code

    person = store.find_participant(code, email)
    if person is None:
        raise LookupError(f"{email} is not on the roster of workshop {code}")
    return claim_invite(store, reset_invite_code(store, code, person.id))


def page_visit(store: Store, identity: Identity, resume_code: str | None = None) -> Session:
    """A participant's fresh page visit (a first one, a reload, another tab): a new worksheet
    session with nothing cached, its own save status and notice."""
    from mentorkit.ui.autosave import SaveStatus
    from mentorkit.ui.frame import Notice
    from mentorkit.ui.shell import Session

    return Session(store, identity, SaveStatus(), Notice(), resume_code=resume_code)


def widget_tree(widget: Any) -> Iterator[Any]:
    """`widget` and every widget inside it, depth first (a box's `children`)."""
    yield widget
    for child in getattr(widget, "children", ()):
        yield from widget_tree(child)


def find_widget(widget: Any, kind: type, description: str) -> Any:
    """The first widget of `kind` labelled `description` in `widget`'s tree, or None."""
    return next(
        (
            found
            for found in widget_tree(widget)
            if isinstance(found, kind) and getattr(found, "description", None) == description
        ),
        None,
    )


def kernel_message(msg_type: str, **metadata: str) -> dict[str, Any]:
    """A shell-channel request as a page's scripts send it to their kernel."""
    return {
        "header": {
            "msg_id": uuid.uuid4().hex,
            "msg_type": msg_type,
            "username": "visitor",
            "session": uuid.uuid4().hex,
            "date": "2026-12-06T12:00:00Z",
            "version": "5.3",
        },
        "parent_header": {},
        "metadata": metadata,
        "content": {},
        "channel": "shell",
        "buffers": [],
    }


def ask_kernel_info(channel: ClientConnection, *, seconds: float, **metadata: str) -> bool:
    """Send a kernel_info_request on a kernel's websocket `channel` (as a page does) and
    wait up to `seconds` for its reply: whether the kernel answered."""
    sent = kernel_message("kernel_info_request", **metadata)
    channel.send(json.dumps(sent))
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        answer = json.loads(channel.recv(timeout=seconds))
        replied = answer.get("parent_header", {}).get("msg_id") == sent["header"]["msg_id"]
        if replied and answer["msg_type"] == "kernel_info_reply":
            return True
    return False
