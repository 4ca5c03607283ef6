"""`python -m mentorkit.jupyter.launch …`: Voilà, with the token taken out of the environment
before anything else runs, stopping with its kernels on SIGTERM and SIGHUP as on Ctrl+C.

`mentorkit serve` hands the token over in MENTORKIT_TOKEN rather than on the command line
(which every user of the machine can list). Voilà starts its pre-heated kernels before it
creates the identity provider, and kernels inherit the server's environment, so the
variable must be gone before Voilà starts at all: this module removes it, keeps the value
for `AppsOnlyIdentityProvider`, and then runs Voilà with the arguments it was given.

Stopping: on Ctrl+C (SIGINT) Voilà leaves its event loop and shuts every kernel down. A
closed terminal (SIGHUP) would kill it at once, and kernels run in sessions of their own, so
they would stay. Here SIGTERM and SIGHUP do what SIGINT does, and once a stop has begun,
further signals are ignored so that they cannot cut the kernels' shutdown short.
"""

from __future__ import annotations

import os
import signal
from types import FrameType

from mentorkit.jupyter import TOKEN_VARIABLE, server

#: The signals that stop the server as Ctrl+C does.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def stop_like_ctrl_c(signum: int, frame: FrameType | None) -> None:
    """Stop the server as Ctrl+C does (Voilà then shuts its kernels down), once."""
    for other in STOP_SIGNALS:
        signal.signal(other, signal.SIG_IGN)
    raise KeyboardInterrupt


def main() -> None:
    server.STARTUP_TOKEN = os.environ.pop(TOKEN_VARIABLE, "")
    from voila.app import Voila

    app = Voila.instance()
    app.initialize()
    # After initialize(), which installs Voilà's own SIGTERM handler.
    for signum in STOP_SIGNALS:
        signal.signal(signum, stop_like_ctrl_c)
    app.start()


if __name__ == "__main__":
    main()
