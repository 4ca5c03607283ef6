"""`python -m mentorkit.jupyter.launch …`: Voilà, with the token taken out of the environment
before anything else runs, stopping with its kernels on SIGTERM and SIGHUP as on Ctrl+C.

`mentorkit serve` hands the token over in MENTORKIT_TOKEN rather than on the command line
(which every user of the machine can list). Voilà starts its pre-heated kernels before it
creates the identity provider, and kernels inherit the server's environment, so the
variable must be gone before Voilà starts at all: this module removes it, keeps the value
for `AppsOnlyIdentityProvider`, and then runs Voilà with the arguments it was given.

Quiet: a facilitator reads the server's output, so it says nothing that needs no action
(`quiet_configuration`): the notebooks it serves are trusted for this run, and kernels talk
to the server encrypted; the kernel pools are configuration, not a command-line option
traitlets calls deprecated (`POOLS_OPTION`).

Stopping: on Ctrl+C (SIGINT) Voilà leaves its event loop and shuts every kernel down. A
closed terminal (SIGHUP) would kill it at once, and kernels run in sessions of their own, so
they would stay. Here SIGTERM and SIGHUP do what SIGINT does, and once a stop has begun,
further signals are ignored so that they cannot cut the kernels' shutdown short. Voilà's
stop deletes the kernels' connection files before it shuts the kernels down, so a kernel
still starting then finds no file to read and ends in a traceback; here the kernels are
shut down first (`stop_kernels_then_files`). The kernel manager shuts each one down
without interrupting it (mentorkit.jupyter.kernels).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any

import nbformat
import nbformat.sign
import zmq
from jupyter_core.utils import run_sync
from traitlets.config import Config

from mentorkit.jupyter import TOKEN_VARIABLE, server

#: The signals that stop the server as Ctrl+C does.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
#: The kernel pools (notebook → {"pool_size": n}, as JSON), taken from the arguments here:
#: traitlets reads a dict of dicts on the command line only as JSON, which it warns is
#: deprecated, and its `key=value` form would make every pool a string.
POOLS_OPTION = "--VoilaKernelManager.kernel_pools_config="
#: nbformat's reading and signing functions carry no annotations.
_notebooks: Any = nbformat
_signing: Any = nbformat.sign


def stop_like_ctrl_c(signum: int, frame: FrameType | None) -> None:
    """Stop the server as Ctrl+C does (Voilà then shuts its kernels down), once."""
    for other in STOP_SIGNALS:
        signal.signal(other, stop_already_begun)
    raise KeyboardInterrupt


def stop_already_begun(signum: int, frame: FrameType | None) -> None:
    """A stop signal after the first: the stop is under way, nothing more to do. (A Python
    handler rather than SIG_IGN: Ctrl+C in a terminal sends SIGINT and `mentorkit serve`
    sends SIGTERM, and a signal that arrived before the first one was handled would then
    end in a traceback, "Signal 15 ignored due to race condition".)"""


def split_pools(argv: Sequence[str]) -> tuple[list[str], dict[str, Any] | None]:
    """The arguments without `POOLS_OPTION`, and the pools it gives (None: not given)."""
    rest: list[str] = []
    pools: dict[str, Any] | None = None
    for arg in argv:
        if arg.startswith(POOLS_OPTION):
            pools = json.loads(arg.removeprefix(POOLS_OPTION))
        else:
            rest.append(arg)
    return rest, pools


def trusted_for_this_run(folder: Path) -> Config:
    """Configuration under which the notebooks in `folder` are trusted while this server
    runs, and no other: they are signed into a signature store in memory, with a secret of
    this run. Voilà reads every notebook through Jupyter's contents manager, which checks
    the signature and otherwise logs "Notebook … is not trusted" on each page and pool
    kernel, though Voilà shows no stored output (the one thing trust governs). The
    signatures of the user's own Jupyter (a database in their data folder) are left alone."""
    store = _signing.MemorySignatureStore()
    config = Config()
    config.NotebookNotary.secret = secrets.token_bytes(32)
    config.NotebookNotary.store_factory = lambda: store
    notary = _signing.NotebookNotary(config=config)
    for path in sorted(folder.rglob("*.ipynb")):
        notary.sign(_notebooks.read(path, as_version=4))
    return config


def quiet_configuration(app: Any, pools: dict[str, Any] | None) -> None:
    """Add to the configuration of the initialized Voilà `app` what keeps its output to what
    a facilitator needs to read (and the pools `split_pools` took out)."""
    root = Path(app.notebook_path).parent if app.notebook_path else Path(app.root_dir)
    app.config.merge(trusted_for_this_run(root))
    if pools is not None:
        app.config.VoilaKernelManager.kernel_pools_config = pools
    kernels = app.config.MappingKernelManager
    if "transport_encryption" not in kernels and zmq.has("curve"):
        # Kernels listen on TCP ports of this machine; encrypted with keys the server hands
        # them (CurveZMQ), no one else on the machine reads a participant's answers there,
        # and no kernel warns that its traffic is plain text.
        kernels.transport_encryption = "auto"


def stop_kernels_then_files(app: Any) -> None:
    """Voilà's `stop` in the other order: shut the kernels of `app` down, then delete their
    connection files, which a kernel still starting has yet to read."""
    run_sync(app.kernel_manager.shutdown_all)()
    shutil.rmtree(app.connection_dir, ignore_errors=True)


def main() -> None:
    server.STARTUP_TOKEN = os.environ.pop(TOKEN_VARIABLE, "")
    from voila.app import Voila

    argv, pools = split_pools(sys.argv[1:])
    app = Voila.instance()
    app.stop = lambda: stop_kernels_then_files(app)  # called by Voilà's start() on Ctrl+C
    app.initialize(argv)
    quiet_configuration(app, pools)
    # After initialize(), which installs Voilà's own SIGTERM handler.
    for signum in STOP_SIGNALS:
        signal.signal(signum, stop_like_ctrl_c)
    app.start()


if __name__ == "__main__":
    main()
