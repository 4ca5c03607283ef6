"""The one build step pyproject.toml cannot say: the wheel carries voila.json.

voila.json stays at the top of the repository, where `voila notebooks/` run there reads it;
the wheel carries a copy as mentorkit/_voila/voila.json, a folder of its own because Voilà
reads its configuration from the folder it starts in (mentorkit.resources). Everything else
about the package is in pyproject.toml.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

VOILA_CONFIG = "voila.json"
IN_PACKAGE = ("mentorkit", "_voila", "voila.json")


class BuildWithVoilaConfig(build_py):
    """`build_py`, plus voila.json into the built package. An editable install reads the
    repository's own voila.json, so it gets no copy."""

    def run(self) -> None:
        super().run()
        if not self.editable_mode:
            target = Path(self.build_lib, *IN_PACKAGE)
            self.mkpath(str(target.parent))
            self.copy_file(VOILA_CONFIG, str(target))

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = list(super().get_outputs(include_bytecode))
        if not self.editable_mode:
            outputs.append(str(Path(self.build_lib, *IN_PACKAGE)))
        return outputs


setup(cmdclass={"build_py": BuildWithVoilaConfig})
