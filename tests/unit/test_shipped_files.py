"""mentorkit finds its data, notebooks and Voilà configuration in the repository beside the
package, and inside the package when a wheel carries them there."""

from __future__ import annotations

from pathlib import Path

from mentorkit import resources

ROOT = Path(__file__).resolve().parents[2]


def test_a_checkout_uses_the_repositorys_own_files():
    assert resources.DATA_DIR == ROOT / "data"
    assert resources.NOTEBOOKS_DIR == ROOT / "notebooks"
    assert resources.VOILA_CONFIG == ROOT / "voila.json"
    assert (resources.DATA_DIR / "competencies.yaml").is_file()


def test_files_a_wheel_carries_in_the_package_come_first(tmp_path, monkeypatch):
    package = tmp_path / "site-packages" / "mentorkit"
    (package / "_voila").mkdir(parents=True)
    (package / "_voila" / "voila.json").write_text("{}")
    monkeypatch.setattr(resources, "package_dir", lambda: package)
    assert resources.shipped("_voila/voila.json", "voila.json") == package / "_voila" / "voila.json"
    assert resources.shipped("_data", "data") == tmp_path / "site-packages" / "data"
