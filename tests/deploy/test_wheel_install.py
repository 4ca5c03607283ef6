"""The wheel and the source distribution work outside the repository: built without a
warning, the sdist holds the data and the notebooks, and the wheel installed (with
constraints.txt) into a fresh virtual environment creates workshops and serves the apps
from a folder that is not the repository's."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from served_output import (
    WORKSHEETS,
    fetch,
    kernel_answers,
    noise,
    open_worksheet,
    start_serve,
    wait_until_pools_are_filled,
)

ROOT = Path(__file__).resolve().parents[2]
#: Files the apps need that live outside the package in the repository.
SHIPPED = ("data/competencies.yaml", "data/mentors.csv", "notebooks/index.ipynb", "voila.json")
#: Lines of a build that ask for a change to the project.
BUILD_NOISE = re.compile(r"warning|deprecat", re.IGNORECASE)


def outside_env(venv: Path, home: Path) -> dict[str, str]:
    """The environment of a facilitator who installed the wheel into `venv`: nothing that
    leads back to the repository (PYTHONPATH) or to this test run's Jupyter."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "JUPYTER_PATH", "VIRTUAL_ENV", "PYTHONHOME"}
        and not key.startswith("MENTORKIT_")
    }
    env["PATH"] = os.pathsep.join([str(venv / "bin"), env.get("PATH", "")])
    env["JUPYTER_CONFIG_DIR"] = str(home / "jupyter-config")
    env["JUPYTER_DATA_DIR"] = str(home / "jupyter-data")
    return env


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """The wheel and the sdist of this checkout (`python -m build`), and what it printed."""
    dist = tmp_path_factory.mktemp("dist")
    # Bytecode is not written when PYTHONDONTWRITEBYTECODE is set, and setuptools then says
    # so in a warning of its own: build as a facilitator's machine does.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    result = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    printed = result.stdout + result.stderr
    assert result.returncode == 0, printed
    yield dist, printed


def test_building_the_wheel_and_sdist_prints_no_warning(built):
    _, printed = built
    assert [line for line in printed.splitlines() if BUILD_NOISE.search(line)] == []


def test_the_sdist_holds_the_data_the_notebooks_and_voila_json(built):
    dist, _ = built
    (sdist,) = dist.glob("mentorkit-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert set(SHIPPED) <= names
    assert {"notebooks/01_self_assessment.ipynb", "notebooks/facilitator/setup.ipynb"} <= names


def test_the_installed_wheel_creates_workshops_and_serves_the_apps(built, tmp_path):
    dist, _ = built
    (wheel,) = dist.glob("mentorkit-*.whl")
    venv = tmp_path / "venv"
    elsewhere = tmp_path / "facilitator"
    elsewhere.mkdir()
    env = outside_env(venv, tmp_path)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = str(venv / "bin" / "pip")
    install = subprocess.run(
        [
            pip,
            "install",
            "--quiet",
            "--no-compile",
            "-c",
            str(ROOT / "constraints.txt"),
            str(wheel),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import mentorkit; print(mentorkit.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=elsewhere,
        env=env,
    ).stdout
    assert Path(where.strip()).is_relative_to(venv), where

    mentorkit = str(venv / "bin" / "mentorkit")
    env["MENTORKIT_DB"] = f"sqlite:///{elsewhere / 'workshop.db'}"
    created = subprocess.run(
        [
            mentorkit,
            "init",
            "--name",
            "Installed from a wheel",
            "--db",
            f"sqlite:///{elsewhere / 'init.db'}",
        ],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
        timeout=120,
    )
    assert created.returncode == 0, created.stderr
    demo = subprocess.run(
        [mentorkit, "demo"], capture_output=True, text=True, cwd=elsewhere, env=env, timeout=120
    )
    assert demo.returncode == 0, demo.stderr
    assert re.search(r"Join code:\s+\S+", demo.stdout), demo.stdout

    log = tmp_path / "serve.log"
    served, port = start_serve([mentorkit, "serve"], cwd=elsewhere, env=env, log=log)
    try:
        wait_until_pools_are_filled(served)
        status, gallery = fetch(f"{served.base_url}/")
        assert status == 200, gallery[:500]
        assert "Finding and working with a mentor (demo)" in gallery  # the demo workshop
        assert 'href="voila/render/facilitator/setup.ipynb"' in gallery
        for notebook in WORKSHEETS:
            assert kernel_answers(served, port, open_worksheet(served, notebook))
    finally:
        served.stop()
    assert noise(log) == [], log.read_text()
