"""Where mentorkit's own files are: the competency framework and the sample data (`data/`),
the apps' notebooks (`notebooks/`) and Voilà's configuration (`voila.json`).

In the repository they sit beside the package, at the top, where `voila notebooks/`, nbval,
`make serve` and the README expect them. A wheel carries them inside the package:
`mentorkit/_data/`, `mentorkit/_notebooks/` and `mentorkit/_voila/voila.json` (see
`[tool.setuptools.package-dir]` in pyproject.toml, and setup.py for voila.json). The files
are found from the package itself (`importlib.resources`), inside it when installed from a
wheel, else beside it, so that the same lookup serves a wheel, an editable install and a
plain checkout on PYTHONPATH. Every module that needs one of these files asks here.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def package_dir() -> Path:
    """The folder of the `mentorkit` package on disk. Voilà serves the notebooks from a
    folder, so mentorkit runs only from files on disk (a wheel is always unpacked)."""
    package = files("mentorkit")
    if not isinstance(package, Path):
        raise RuntimeError(
            f"mentorkit is installed as {package!r}, not as files on disk; install it with "
            "pip (pip install mentorkit), which unpacks it"
        )
    return package


def shipped(in_wheel: str, in_repository: str) -> Path:
    """`in_wheel` (a path inside the package) when the package carries it, else
    `in_repository` (a path beside the package, in the repository)."""
    package = package_dir()
    inside = package.joinpath(*in_wheel.split("/"))
    return inside if inside.exists() else package.parent / in_repository


#: The competency framework, the guidance and the sample rosters.
DATA_DIR = shipped("_data", "data")
#: The apps' notebooks, which `mentorkit serve` hands to Voilà.
NOTEBOOKS_DIR = shipped("_notebooks", "notebooks")
#: Voilà's configuration for the apps (template, routes, kernels); Voilà reads it from the
#: folder it starts in, which holds nothing else in a wheel (`_voila/`).
VOILA_CONFIG = shipped("_voila/voila.json", "voila.json")
