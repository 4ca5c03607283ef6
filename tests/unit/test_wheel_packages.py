"""Every folder of the package goes into the wheel: pyproject.toml lists the packages one by
one (the data and notebooks come from outside mentorkit/), so a new folder must be listed."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_folder_of_the_package_is_listed_for_the_wheel():
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    folders = {
        ".".join(folder.relative_to(ROOT).parts)
        for folder in [ROOT / "mentorkit", *(ROOT / "mentorkit").rglob("*")]
        if folder.is_dir()
        and not any(
            part.startswith((".", "__pycache__")) for part in folder.relative_to(ROOT).parts
        )
        and any(child.is_file() for child in folder.iterdir())
    }
    assert folders <= listed, f"add to [tool.setuptools] packages: {sorted(folders - listed)}"


def test_every_file_of_the_package_that_is_not_python_is_listed_for_the_wheel():
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]
    files = [
        path
        for path in (ROOT / "mentorkit").rglob("*")
        if path.is_file() and path.suffix not in {".py", ".pyc"} and "__pycache__" not in path.parts
    ]
    assert files  # the templates, the style sheet and the page scripts

    def listed(path: Path) -> bool:
        package = ".".join(path.parent.relative_to(ROOT).parts)
        return any(path.match(pattern) for pattern in package_data.get(package, []))

    missing = sorted(str(path.relative_to(ROOT)) for path in files if not listed(path))
    assert not missing, f"add to [tool.setuptools.package-data]: {missing}"
