"""The set-up files agree with each other."""

import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    declared = {
        Requirement(r).name.lower(): str(Requirement(r).specifier)
        for r in _pyproject()["project"]["dependencies"]
    }
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {
        Requirement(d).name.lower(): str(Requirement(d).specifier)
        for d in env["dependencies"]
        if isinstance(d, str) and Requirement(d).name not in {"python", "pip"}
    }
    assert conda == declared


def test_voila_is_pinned_past_the_file_read_advisory():
    voila = next(
        Requirement(r) for r in _pyproject()["project"]["dependencies"] if r.startswith("voila")
    )
    assert "0.5.5" not in voila.specifier
    assert "0.5.6" in voila.specifier


def test_readme_opens_with_the_two_set_up_commands():
    opening = (ROOT / "README.md").read_text().split("\n## ")[0]
    assert "make serve" in opening
    assert "make test" in opening
