"""A real JupyterHub on 127.0.0.1, run with deploy/jupyterhub/jupyterhub_config.py, and the
workshop its participants share.

The hub runs as a subprocess in its own process group with a throw-away state folder;
configurable-http-proxy comes from npm. The participants' store is the PostgreSQL database
named by MENTORKIT_TEST_PG (only this test's own workshop is created there, and deleted
afterwards: other tests share that database), or a SQLite file when it is unset. In CI
(CI=true) a missing browser, proxy or database is a failure, never a skip.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from mentorkit.store import open_store
from mentorkit.testing import free_port, unavailable
from mentorkit.workshops import create_workshop

ROOT = Path(__file__).resolve().parents[2]
HUB_CONFIG = ROOT / "deploy" / "jupyterhub" / "jupyterhub_config.py"
PROXY = "configurable-http-proxy"
#: The hub user who facilitates: the hub's admin page, but no access to participants' servers.
FACILITATOR = "facilitator"
HUB_START_TIMEOUT = 120.0
HUB_STOP_TIMEOUT = 60.0


def find_proxy() -> Path | None:
    """configurable-http-proxy on PATH, or installed next to the virtual environment with
    `npm install --prefix .venv configurable-http-proxy@5`."""
    on_path = shutil.which(PROXY)
    if on_path:
        return Path(on_path)
    local = Path(sys.prefix) / "node_modules" / ".bin" / PROXY
    return local if local.exists() else None


@dataclass(frozen=True)
class Workshop:
    """The workshop the hub's participants join, in the database every kernel shares."""

    database_url: str
    join_code: str
    facilitator_key: str


@pytest.fixture(scope="module")
def hub_workshop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workshop]:
    """A new workshop in MENTORKIT_TEST_PG (or a SQLite file), deleted afterwards."""
    database_url = os.environ.get("MENTORKIT_TEST_PG", "").strip()
    if not database_url:
        if os.environ.get("CI") == "true":
            pytest.fail("MENTORKIT_TEST_PG is not set: the hub test needs PostgreSQL in CI")
        database_url = f"sqlite:///{tmp_path_factory.mktemp('hub-store') / 'mentorkit.db'}"
    store = open_store(database_url)
    try:
        access = create_workshop(store, "JupyterHub test workshop")
        code = access.workshop.code
        try:
            yield Workshop(database_url, code, access.facilitator_key)
        finally:
            store.delete_workshop(code)
    finally:
        store.close()


@dataclass(frozen=True)
class Hub:
    """A running JupyterHub: its public address and its log."""

    url: str
    log: Path
    facilitator: str = FACILITATOR

    def user_url(self, user: str, path: str) -> str:
        """The address of `path` on `user`'s single-user server."""
        return f"{self.url}/user/{user}/{path}"


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory, hub_workshop: Workshop) -> Iterator[Hub]:
    """deploy/jupyterhub/jupyterhub_config.py on free 127.0.0.1 ports, with the dummy
    authenticator, every participant as this OS user, and a facilitator."""
    proxy = find_proxy()
    if proxy is None:
        unavailable(
            f"{PROXY} not found on PATH or in {sys.prefix}/node_modules (npm install -g {PROXY}@5)"
        )
    assert proxy is not None
    folder = tmp_path_factory.mktemp("hub")
    port, hub_port, api_port = free_port(), free_port(), free_port()
    hub_api = f"http://127.0.0.1:{hub_port}/hub/api"
    env = {
        **os.environ,
        "PATH": os.pathsep.join([str(proxy.parent), os.environ.get("PATH", "")]),
        "MENTORKIT_DB": hub_workshop.database_url,
        "MENTORKIT_WORKSHOP": hub_workshop.join_code,
        "MENTORKIT_HUB_IP": "127.0.0.1",
        "MENTORKIT_HUB_PORT": str(port),
        "MENTORKIT_HUB_DATA": str(folder / "state"),
        "MENTORKIT_HUB_AUTHENTICATOR": "dummy",
        "MENTORKIT_HUB_SPAWNER": "simple",
        "MENTORKIT_HUB_FACILITATORS": FACILITATOR,
    }
    log_path = folder / "jupyterhub.log"
    log = log_path.open("w+")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterhub",
            "-f",
            str(HUB_CONFIG),
            # The hub's internal ports: free ones, so that nothing else on the machine
            # (another hub, another test) is in the way.
            f"--JupyterHub.hub_port={hub_port}",
            f"--ConfigurableHTTPProxy.api_url=http://127.0.0.1:{api_port}",
        ],
        cwd=folder,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for_hub(f"{url}/hub/api", process, log_path)
        yield Hub(url, log_path)
    finally:
        stop_hub(process, hub_api, folder / "state" / "jupyterhub-proxy.pid")
        log.close()


def wait_for_hub(url: str, process: subprocess.Popen, log: Path) -> None:
    """Wait until the hub answers through its proxy."""
    deadline = time.monotonic() + HUB_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"JupyterHub exited with status {process.returncode}:\n{log.read_text()}"
            )
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                if response.status == 200:
                    return
        except urllib.error.HTTPError:
            pass  # the proxy answers before the hub's route is in place
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {HUB_START_TIMEOUT} s:\n{log.read_text()}")


def stop_hub(process: subprocess.Popen, hub_api: str, proxy_pid_file: Path) -> None:
    """Stop the hub (which stops the servers and the proxy it started), then anything of
    this hub's still running: a single-user server or kernel (found by the hub address in
    its environment) or the proxy (by its pid file)."""
    proxy_pid = _pid_in(proxy_pid_file)
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=HUB_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    leftovers = _processes_with_env(f"JUPYTERHUB_API_URL={hub_api}")
    if proxy_pid is not None and Path(f"/proc/{proxy_pid}").exists():
        leftovers.append(proxy_pid)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in leftovers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in leftovers):
            time.sleep(0.2)


def _pid_in(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _processes_with_env(entry: str) -> list[int]:
    """The processes whose environment holds `entry` ('NAME=value')."""
    wanted = entry.encode()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            environ = (proc / "environ").read_bytes()
        except OSError:
            continue
        if wanted in environ.split(b"\0"):
            found.append(int(proc.name))
    return found
