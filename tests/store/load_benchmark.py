"""benchmarks/load.py as a module, for the store tests that run a small version of the very
benchmark and check its results with its own functions.

benchmarks/ is not a package and is not installed, so it is loaded here by file path, from
the tests; the mentorkit package itself never reaches into the repository's scripts.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
LOAD_SCRIPT = ROOT / "benchmarks" / "load.py"


def _import_script(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"mentorkit_benchmark_{path.stem}", path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


load = _import_script(LOAD_SCRIPT)
