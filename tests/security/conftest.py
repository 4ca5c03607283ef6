"""Attacks performed for real: a hostile visitor against `mentorkit serve`, a curious
participant with code against the shared JupyterHub and its PostgreSQL database.

Each test performs the attack it is named after and checks that it gets nothing. In CI
(CI=true) a missing browser, proxy or database is a failure, never a skip.
"""

import sys
from pathlib import Path

# The person-like browser driver (tests/browser/person.py) and the real hub
# (tests/deploy/hub_harness.py) are shared with the tests that live beside them.
TESTS = Path(__file__).resolve().parents[1]
for folder in (TESTS / "browser", TESTS / "deploy"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
