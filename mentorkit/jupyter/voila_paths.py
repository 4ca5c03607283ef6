"""Where Voilà finds mentorkit's page template, for a `voila` started without
`mentorkit serve`.

Voilà looks for templates in the Jupyter data directories (`jupyter --paths`, extended by
JUPYTER_PATH), and voila.json names the `mentorkit` template. `mentorkit serve` sets
JUPYTER_PATH for its server. `voila notebooks/` or `voila notebooks/<worksheet>.ipynb`
started in the repository reads voila.json, whose identity provider class Voilà imports
while reading it, before it looks for the template: `mentorkit.jupyter.server` calls
`use_mentorkit_templates` when it is imported. Without it every page answered 500 (no
`index.html.j2`), and Voilà kept starting pre-heated kernels that failed.

(A voila.py next to voila.json would be read too, but with the repository on sys.path it
hides the `voila` package itself.)
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping
from pathlib import Path

#: The Jupyter data directory holding voila/templates/mentorkit.
TEMPLATE_ROOT = Path(__file__).resolve().parent


def use_mentorkit_templates(environ: MutableMapping[str, str] | None = None) -> None:
    """Put mentorkit's template directory first on JUPYTER_PATH (once), so that Voilà
    started in this process (and the kernels it starts) finds the `mentorkit` template."""
    environ = os.environ if environ is None else environ
    ours = str(TEMPLATE_ROOT)
    paths = [path for path in environ.get("JUPYTER_PATH", "").split(os.pathsep) if path]
    if ours not in paths:
        environ["JUPYTER_PATH"] = os.pathsep.join([ours, *paths])
