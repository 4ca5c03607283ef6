"""`voila notebooks/` without `mentorkit serve` finds mentorkit's page template."""

from __future__ import annotations

import os

from mentorkit.jupyter.voila_paths import TEMPLATE_ROOT, use_mentorkit_templates


def test_the_template_folder_goes_first_on_jupyter_path_once_keeping_the_others():
    environ = {"JUPYTER_PATH": os.pathsep.join(["/opt/a", "/opt/b"])}
    use_mentorkit_templates(environ)
    use_mentorkit_templates(environ)
    assert environ["JUPYTER_PATH"].split(os.pathsep) == [str(TEMPLATE_ROOT), "/opt/a", "/opt/b"]


def test_without_jupyter_path_it_holds_the_template_folder_alone():
    environ: dict[str, str] = {}
    use_mentorkit_templates(environ)
    assert environ["JUPYTER_PATH"] == str(TEMPLATE_ROOT)
    assert (TEMPLATE_ROOT / "voila" / "templates" / "mentorkit" / "index.html.j2").is_file()
