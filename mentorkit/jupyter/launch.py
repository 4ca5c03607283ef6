"""`python -m mentorkit.jupyter.launch …`: Voilà, with the token taken out of the environment
before anything else runs.

`mentorkit serve` hands the token over in MENTORKIT_TOKEN rather than on the command line
(which every user of the machine can list). Voilà starts its pre-heated kernels before it
creates the identity provider, and kernels inherit the server's environment, so the
variable must be gone before Voilà starts at all: this module removes it, keeps the value
for `AppsOnlyIdentityProvider`, and then runs Voilà with the arguments it was given.
"""

from __future__ import annotations

import os

from mentorkit.jupyter import TOKEN_VARIABLE, server


def main() -> None:
    server.STARTUP_TOKEN = os.environ.pop(TOKEN_VARIABLE, "")
    from voila.app import main as voila_main

    voila_main()


if __name__ == "__main__":
    main()
