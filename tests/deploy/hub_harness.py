"""A real JupyterHub on 127.0.0.1, run with deploy/jupyterhub/jupyterhub_config.py, and
what tests do with it: start it, sign users in, start their servers, run code in their
kernels, stop everything they started.

The hub runs as a subprocess in its own process group with a throw-away state folder;
configurable-http-proxy comes from npm. The participants' store is the PostgreSQL database
named by MENTORKIT_TEST_PG, reached by the hub as the administrative role (that URL) and
by every server through a role of its own. Other tests share that database: each hub gets
its own role prefix, and its roles and policies are dropped afterwards. In CI (CI=true) a
missing proxy or database is a failure, never a skip.

Imported by tests/deploy/conftest.py and by tests in other folders (put this folder on
sys.path first).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import requests
import websocket

from mentorkit import pg_access
from mentorkit.testing import free_port, postgres_test_url, unavailable

ROOT = Path(__file__).resolve().parents[2]
HUB_CONFIG = ROOT / "deploy" / "jupyterhub" / "jupyterhub_config.py"
PROXY = "configurable-http-proxy"
#: The hub user who facilitates: the hub's admin page, but no access to participants' servers.
FACILITATOR = "facilitator"
HUB_START_TIMEOUT = 120.0
HUB_STOP_TIMEOUT = 60.0
#: Starting a single-user server (Python, Jupyter, Voilà) on 2 busy cores.
SERVER_START_TIMEOUT = 180.0
KERNEL_TIMEOUT = 120.0


def find_proxy() -> Path | None:
    """configurable-http-proxy on PATH, or installed next to the virtual environment with
    `npm install --prefix .venv configurable-http-proxy@5`."""
    on_path = shutil.which(PROXY)
    if on_path:
        return Path(on_path)
    local = Path(sys.prefix) / "node_modules" / ".bin" / PROXY
    return local if local.exists() else None


def admin_database_url() -> str:
    """MENTORKIT_TEST_PG: the hub's administrative URL. A hub needs PostgreSQL."""
    return postgres_test_url()


def new_role_prefix() -> str:
    """Role and policy names of one hub, unlike any other test's."""
    return f"mkt{uuid.uuid4().hex[:10]}_"


@dataclass(frozen=True)
class Workshop:
    """The workshop the hub's participants join, in the database every kernel shares."""

    database_url: str
    join_code: str
    facilitator_key: str


@dataclass
class Hub:
    """A running JupyterHub: its public address, its log, and its users' API tokens."""

    url: str
    log: Path
    role_prefix: str
    facilitator: str = FACILITATOR
    tokens: dict[str, str] = field(default_factory=dict)

    def user_url(self, user: str, path: str) -> str:
        """The address of `path` on `user`'s single-user server."""
        return f"{self.url}/user/{user}/{path}"

    def token(self, user: str) -> str:
        """An API token of `user`, who signs in through the hub's login form for it."""
        if user not in self.tokens:
            session = requests.Session()
            session.get(f"{self.url}/hub/login", timeout=60).raise_for_status()
            xsrf = session.cookies.get("_xsrf", "")
            response = session.post(
                f"{self.url}/hub/login",
                data={"username": user, "password": "any password", "_xsrf": xsrf},
                allow_redirects=False,
                timeout=60,
            )
            assert response.status_code == 302, response.text
            response = session.post(
                f"{self.url}/hub/api/users/{user}/tokens",
                json={"note": "test", "expires_in": 3600},
                headers={"X-XSRFToken": session.cookies.get("_xsrf", xsrf)},
                timeout=60,
            )
            assert response.status_code == 201, response.text
            self.tokens[user] = response.json()["token"]
        return self.tokens[user]

    def headers(self, user: str) -> dict[str, str]:
        return {"Authorization": f"token {self.token(user)}"}

    def start_server(self, user: str) -> None:
        """Start `user`'s server through the hub's API and wait until it is ready."""
        api = f"{self.url}/hub/api/users/{user}"
        response = requests.post(f"{api}/server", headers=self.headers(user), timeout=60)
        assert response.status_code in {201, 202, 400}, response.text  # 400: running already
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            state = requests.get(api, headers=self.headers(user), timeout=60).json()
            server = state.get("servers", {}).get("")
            if server and server.get("ready"):
                return
            time.sleep(1)
        raise AssertionError(f"{user}'s server was not ready in time:\n{self.log.read_text()}")

    def execute(self, user: str, code: str) -> str:
        """Run `code` in a new kernel on `user`'s server, as their own JupyterLab would
        (`POST api/kernels`, then an execute_request on the kernel's websocket); return
        what it printed. The kernel is shut down afterwards."""
        self.start_server(user)
        response = requests.post(
            self.user_url(user, "api/kernels"),
            json={"name": "python3"},
            headers=self.headers(user),
            timeout=KERNEL_TIMEOUT,
        )
        assert response.status_code == 201, response.text
        kernel = response.json()["id"]
        try:
            return self._run(user, kernel, code)
        finally:
            requests.delete(
                self.user_url(user, f"api/kernels/{kernel}"),
                headers=self.headers(user),
                timeout=KERNEL_TIMEOUT,
            )

    def _run(self, user: str, kernel: str, code: str) -> str:
        ws_url = self.user_url(user, f"api/kernels/{kernel}/channels").replace("http", "ws", 1)
        connection = websocket.create_connection(
            ws_url, header=[f"Authorization: token {self.token(user)}"], timeout=KERNEL_TIMEOUT
        )
        try:
            msg_id = uuid.uuid4().hex
            connection.send(
                json.dumps(
                    {
                        "header": {
                            "msg_id": msg_id,
                            "msg_type": "execute_request",
                            "session": uuid.uuid4().hex,
                            "username": user,
                            "version": "5.3",
                        },
                        "parent_header": {},
                        "metadata": {},
                        "channel": "shell",
                        "content": {
                            "code": code,
                            "silent": False,
                            "store_history": False,
                            "user_expressions": {},
                            "allow_stdin": False,
                            "stop_on_error": True,
                        },
                    }
                )
            )
            printed: list[str] = []
            deadline = time.monotonic() + KERNEL_TIMEOUT
            while time.monotonic() < deadline:
                message = json.loads(connection.recv())
                if message.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind, content = message["msg_type"], message["content"]
                if kind == "stream":
                    printed.append(content["text"])
                elif kind == "error":
                    raise AssertionError(
                        f"the code raised {content['ename']}: {content['evalue']}\n"
                        + "\n".join(content.get("traceback", []))
                    )
                elif kind == "status" and content["execution_state"] == "idle":
                    return "".join(printed)
            raise AssertionError(f"the kernel did not finish within {KERNEL_TIMEOUT} s")
        finally:
            connection.close()


@contextlib.contextmanager
def running_hub(
    folder: Path,
    admin_url: str,
    join_code: str,
    *,
    newcomers: bool,
    facilitator: str = FACILITATOR,
) -> Iterator[Hub]:
    """deploy/jupyterhub/jupyterhub_config.py on free 127.0.0.1 ports, with the dummy
    authenticator, every participant as this OS user, a facilitator, roles of a prefix of
    its own (dropped afterwards)."""
    proxy = find_proxy()
    if proxy is None:
        unavailable(
            f"{PROXY} not found on PATH or in {sys.prefix}/node_modules (npm install -g {PROXY}@5)"
        )
    assert proxy is not None
    prefix = new_role_prefix()
    port, hub_port, api_port = free_port(), free_port(), free_port()
    hub_api = f"http://127.0.0.1:{hub_port}/hub/api"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("MENTORKIT_")},
        "PATH": os.pathsep.join([str(proxy.parent), os.environ.get("PATH", "")]),
        # Every server imports this mentorkit (the hub passes PYTHONPATH on).
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "MENTORKIT_HUB_ADMIN_DB": admin_url,
        "MENTORKIT_HUB_ROLE_PREFIX": prefix,
        "MENTORKIT_HUB_NEWCOMERS": "yes" if newcomers else "no",
        "MENTORKIT_WORKSHOP": join_code,
        "MENTORKIT_HUB_IP": "127.0.0.1",
        "MENTORKIT_HUB_PORT": str(port),
        "MENTORKIT_HUB_DATA": str(folder / "state"),
        "MENTORKIT_HUB_AUTHENTICATOR": "dummy",
        "MENTORKIT_HUB_SPAWNER": "simple",
        "MENTORKIT_HUB_FACILITATORS": facilitator,
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
        yield Hub(url, log_path, prefix, facilitator)
    finally:
        try:
            stop_hub(process, hub_api, folder / "state" / "jupyterhub-proxy.pid")
            log.close()
        finally:
            pg_access.drop_deployment(admin_url, prefix)


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
