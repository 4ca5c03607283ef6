"""JupyterHub for a mentorkit workshop: every participant lands on the Voilà apps.

Run it from anywhere with `jupyterhub -f deploy/jupyterhub/jupyterhub_config.py`; every
setting a workshop changes comes from an environment variable (README.md beside this file
lists them), so the same file runs in the test suite and on a real server.

What it sets up, and why:

- Each participant gets their own single-user Jupyter server whose folder is mentorkit's
  `notebooks/` and whose default page is the Voilà landing page ("Start here"), rendered
  with the `mentorkit` template: participants see the apps, not Jupyter.
- The hub's user name is the participant's identity: JupyterHub sets `JUPYTERHUB_USER` in
  every single-user server (and so in every kernel), and the apps sign the participant in
  with it, with no sign-in form.
- All participants share one PostgreSQL database, and the database itself decides who
  reads what: when the hub starts a user's server it gives that user a database role of
  their own with a fresh password (`mentorkit.pg_access`), and the server's `MENTORKIT_DB`
  holds only that role's credentials. Row-level security lets a participant's role reach
  only their own rows, a facilitator's what the dashboard and matching need, and no role
  the key hashes. Only the hub holds the administrative URL (MENTORKIT_HUB_ADMIN_DB).
- A hub user is the participant whose roster row carries their exact hub user name (the
  `hub_user` column); with MENTORKIT_HUB_NEWCOMERS=yes a hub user the roster does not name
  is added to the workshop under their hub user name when their server first starts. A
  hub user the mentor roster names (its `hub_user` column) is that mentor on the mentor's
  page, and their database role reads what a mentor may, at the server's next start.
- The apps' folder is served read-only (singleuser_config.py beside this file): nobody
  can save a notebook into what everyone's server serves.
- The facilitators named in `MENTORKIT_HUB_FACILITATORS` get the hub's admin page without
  the right to open participants' servers; `MENTORKIT_HUB_ADMINS` are full hub admins.
- Voilà never reconnects to a kernel, so a kernel whose tab is gone is culled after a few
  idle minutes, and a server with no kernel and no activity stops itself after an hour.
"""

from __future__ import annotations

import asyncio
import importlib.util
import ipaddress
import os
import sys
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

c = get_config()  # noqa: F821  (JupyterHub provides get_config)

#: The spawners this file knows by a short name; any other value is used as a class name.
SPAWNERS = {
    # One OS account per participant (PAM users); the hub runs as root. JupyterHub's default.
    "localprocess": "jupyterhub.spawner.LocalProcessSpawner",
    # Every participant runs as the hub's own OS user: for tests and demos only.
    "simple": "jupyterhub.spawner.SimpleLocalProcessSpawner",
}
#: Authenticators that let anyone in under any name: refused unless bound to loopback.
TEST_AUTHENTICATORS = {"dummy", "jupyterhub.auth.DummyAuthenticator"}
LOOPBACK_NAMES = {"localhost"}
#: What a facilitator may do on the hub: its admin page, the list of users and their
#: servers, starting and stopping those servers. Not `access:servers`, which would let them
#: open a participant's apps as that participant.
FACILITATOR_SCOPES = ["admin-ui", "list:users", "read:users", "admin:servers"]
#: What participants' servers load besides the command line: the read-only apps' folder.
SINGLEUSER_CONFIG = Path(__file__).resolve().parent / "singleuser_config.py"
#: Jupyter server extensions installed with JupyterLab that the apps do not use.
UNUSED_EXTENSIONS = ["jupyterlab", "jupyter_lsp", "jupyter_server_terminals", "notebook_shim"]


class ConfigError(SystemExit):
    """A missing or wrong setting: JupyterHub stops with this one sentence."""

    def __init__(self, message: str) -> None:
        super().__init__(f"jupyterhub_config.py: {message}")


def env(name: str, default: str = "") -> str:
    """An environment variable, stripped, or `default` when unset or blank."""
    return os.environ.get(name, "").strip() or default


def names(variable: str) -> set[str]:
    """Hub user names from a comma-separated environment variable."""
    return {name.strip() for name in env(variable).split(",") if name.strip()}


def env_seconds(name: str, default: int) -> int:
    """A whole number of seconds from the environment (0 turns the feature off)."""
    raw = env(name, str(default))
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number of seconds, not {raw!r}") from None
    if value < 0:
        raise ConfigError(f"{name} must be 0 or more seconds, not {value}")
    return value


def env_flag(name: str) -> bool:
    """A yes/no setting from the environment (unset means no)."""
    raw = env(name, "no").lower()
    if raw in {"yes", "true", "1", "on"}:
        return True
    if raw in {"no", "false", "0", "off"}:
        return False
    raise ConfigError(f"{name} must be yes or no, not {raw!r}")


def is_loopback(host: str) -> bool:
    """Whether `host` is reachable from this machine only."""
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def mentorkit_package_dir() -> Path:
    """Where the installed mentorkit package lives, found without importing it (the hub
    does not need pandas and the rest loaded)."""
    spec = importlib.util.find_spec("mentorkit")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(
            "mentorkit is not installed in the Python that runs JupyterHub "
            f"({sys.executable}); run `pip install -e .` in the mentorkit folder"
        )
    return Path(next(iter(spec.submodule_search_locations)))


# --- Where the hub listens and keeps its own state -----------------------------------
ip = env("MENTORKIT_HUB_IP", "127.0.0.1")
port = env("MENTORKIT_HUB_PORT", "8000")
if not port.isdigit():
    raise ConfigError(f"MENTORKIT_HUB_PORT must be a port number, not {port!r}")
shown_ip = f"[{ip}]" if ":" in ip else ip
c.JupyterHub.bind_url = f"http://{shown_ip}:{port}/"

data_dir = Path(env("MENTORKIT_HUB_DATA", os.getcwd())).resolve()
data_dir.mkdir(parents=True, exist_ok=True)
c.JupyterHub.db_url = f"sqlite:///{data_dir / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(data_dir / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(data_dir / "jupyterhub-proxy.pid")

# --- Who signs in --------------------------------------------------------------------
authenticator = env("MENTORKIT_HUB_AUTHENTICATOR")
if authenticator:
    c.JupyterHub.authenticator_class = authenticator
if authenticator in TEST_AUTHENTICATORS and not is_loopback(ip):
    raise ConfigError(
        f"the {authenticator} authenticator lets anyone in under any name: it is for tests "
        f"on 127.0.0.1 only, not on {ip}. Choose a real authenticator "
        "(MENTORKIT_HUB_AUTHENTICATOR), see README.md"
    )
# Hub admins can do anything, including opening a participant's own server, where the
# apps sign them in as that participant: keep it to the people who run the machine.
c.Authenticator.admin_users = names("MENTORKIT_HUB_ADMINS")
# Facilitators get the hub's admin page (who is signed in, start and stop servers) but not
# access to participants' servers, so what participants write stays theirs.
facilitators = names("MENTORKIT_HUB_FACILITATORS")
if facilitators:
    c.JupyterHub.load_roles = [
        {
            "name": "mentorkit-facilitator",
            "description": "See participants and start or stop their servers; not open them",
            "scopes": FACILITATOR_SCOPES,
            "users": sorted(facilitators),
        }
    ]
allowed = names("MENTORKIT_HUB_ALLOWED_USERS")
if allowed:
    c.Authenticator.allowed_users = allowed | facilitators

# --- Each participant's server: the mentorkit apps in Voilà --------------------------
spawner = env("MENTORKIT_HUB_SPAWNER", "localprocess")
c.JupyterHub.spawner_class = SPAWNERS.get(spawner, spawner)
c.SimpleLocalProcessSpawner.home_dir_template = env(
    "MENTORKIT_HUB_HOMES", str(data_dir / "home" / "{username}")
)

admin_database_url = env("MENTORKIT_HUB_ADMIN_DB")
if not admin_database_url:
    raise ConfigError(
        "set MENTORKIT_HUB_ADMIN_DB to the PostgreSQL database every participant shares, "
        "as the role that owns its tables, e.g. "
        "postgresql+psycopg://mentorkit:PASSWORD@db.example.org/workshop. Only the hub uses "
        "it: each participant's server gets a role of its own (MENTORKIT_DB is not passed on)"
    )
if not urlsplit(admin_database_url).scheme.startswith("postgres"):
    raise ConfigError(
        "MENTORKIT_HUB_ADMIN_DB must be a PostgreSQL URL (postgresql+psycopg://…): a shared "
        "hub needs PostgreSQL's roles and row-level security to keep participants' answers "
        "apart"
    )
role_prefix = env("MENTORKIT_HUB_ROLE_PREFIX", "mentorkit_")
database_host = env("MENTORKIT_HUB_DB_HOST") or None
newcomers = env_flag("MENTORKIT_HUB_NEWCOMERS")
package_dir = mentorkit_package_dir()
# The apps' notebooks: beside the package in the repository, inside it when installed from a
# wheel (mentorkit.resources knows which, and imports nothing heavy).
shipped_notebooks = importlib.import_module("mentorkit.resources").NOTEBOOKS_DIR
notebooks_dir = Path(env("MENTORKIT_NOTEBOOKS", str(shipped_notebooks))).resolve()
if not (notebooks_dir / "index.ipynb").is_file():
    raise ConfigError(
        f"{notebooks_dir} holds no index.ipynb: set MENTORKIT_NOTEBOOKS to mentorkit's "
        "notebooks/ folder"
    )
# The `mentorkit` Voilà template lives in mentorkit/jupyter/voila/templates, as for
# `mentorkit serve`.
jupyter_path = os.pathsep.join(
    filter(None, [str(package_dir / "jupyter"), os.environ.get("JUPYTER_PATH")])
)

environment = {"JUPYTER_PATH": jupyter_path}
workshop_code = env("MENTORKIT_WORKSHOP")
if workshop_code:
    # The workshop hub users join when the database holds several.
    environment["MENTORKIT_WORKSHOP"] = workshop_code
c.Spawner.environment = environment

_database_prepared = threading.Lock()
_prepared: list[bool] = []


def database_url_for(user: str) -> str:
    """Prepare the database (once per hub start), add a newcomer if the workshop takes
    them, and return the URL of `user`'s own role with a new password."""
    from mentorkit import pg_access  # the hub loads mentorkit only when a server starts

    with _database_prepared:
        if not _prepared:
            pg_access.prepare_database(admin_database_url, role_prefix)
            _prepared.append(True)
    kind: pg_access.Kind = "participant"
    if user in facilitators:
        kind = "facilitator"
    elif pg_access.is_rostered_mentor(admin_database_url, user):
        # A mentor's role is a participant's too: someone may be both.
        kind = "mentor"
    if kind == "participant" and newcomers:
        pg_access.add_hub_newcomer(admin_database_url, user, workshop_code or None)
    return pg_access.grant_hub_user(
        admin_database_url, user, kind, prefix=role_prefix, host=database_host
    )


async def pre_spawn_hook(spawner: Any) -> None:
    """Give the server being started its user's database role, and only that."""
    url = await asyncio.to_thread(database_url_for, spawner.user.name)
    spawner.environment = {**spawner.environment, "MENTORKIT_DB": url}


c.Spawner.pre_spawn_hook = pre_spawn_hook
c.Spawner.notebook_dir = str(notebooks_dir)
c.Spawner.default_url = "/voila/render/index.ipynb"
# The single-user server of the Python that runs the hub (the same virtual environment,
# with mentorkit and Voilà), found even when that environment is not on PATH.
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]

kernel_idle = env_seconds("MENTORKIT_KERNEL_CULL_SECONDS", 600)
server_idle = env_seconds("MENTORKIT_SERVER_IDLE_SECONDS", 3600)
args = [
    f"--config={SINGLEUSER_CONFIG}",
    "--VoilaConfiguration.template=mentorkit",
    # Participants need the apps only: no JupyterLab, no terminal (a smaller, faster
    # server, and nothing but the apps to wander into).
    *(f"--ServerApp.jpserver_extensions={name}=False" for name in UNUSED_EXTENSIONS),
    "--ServerApp.terminals_enabled=False",
    # A Voilà page never reconnects to its kernel: once its tab is gone without saying so
    # (a crashed browser, a lost network), the kernel only holds memory.
    f"--MappingKernelManager.cull_idle_timeout={kernel_idle}",
    "--MappingKernelManager.cull_interval=60",
    "--MappingKernelManager.cull_connected=False",
    # With no kernel and no request for this long, the server stops itself.
    f"--ServerApp.shutdown_no_activity_timeout={server_idle}",
]
if spawner == "simple" and os.geteuid() == 0:
    args.append("--allow-root")  # the test runs as root in CI; real spawners drop root
c.Spawner.args = args
# A busy machine can take a while to start Python, Jupyter and Voilà.
c.Spawner.start_timeout = env_seconds("MENTORKIT_SPAWN_TIMEOUT_SECONDS", 180)
c.Spawner.http_timeout = env_seconds("MENTORKIT_SPAWN_TIMEOUT_SECONDS", 180)
