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
