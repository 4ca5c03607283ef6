"""The worksheets in JupyterLab: staying signed in across worksheets, and links between
them that open the next notebook in Lab.

In Voilà the server keeps a sign-in (a cookie it hands to the next page's kernel) and a
link loads the next page. In JupyterLab neither works: Lab is one page holding several
notebooks, each with its own kernel, which receives no request, no query and no cookie;
and a plain link loads all of Lab again, opening the next notebook with nobody signed in.
So in Lab the worksheet's cell also sends the Lab page script (lab.js) as a JavaScript
output, with two helpers:

* a hidden text box (`kept_sign_in_box`): the script hands it the resume code kept for
  this Lab tab, and the worksheet signs in with it. The code is kept in the tab's
  sessionStorage when a worksheet signs someone in (the same marker session.js reads in
  Voilà) and dropped on "Sign out". sessionStorage rather than anything on the server:
  everyone who can reach a Jupyter server shares its kernels' user and files (on a hub,
  each user has a server of their own, but a laptop's Lab may be handed round a room),
  while a tab's storage is that tab's and ends with it. Outside this tab the person
  resumes with their resume code (`RESUME_ELSEWHERE`), not with a personal link, which
  Lab cannot read.
* hidden links to the worksheets in an HTML output (`lab_links_html`): JupyterLab opens a
  relative link in a rendered HTML output as a document, in Lab; the script sends a click
  on a worksheet's link of the same name to it.

Links keep their plain addresses ("02_mentor_shortlist.ipynb"), so that without the
script (Notebook 7, an untrusted output) they still open the notebook, after a reload.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from html import escape
from importlib import resources
from typing import Any

import ipywidgets as widgets

#: The tag of a notebook's first cell, "Run the cell below…": for notebook readers only,
#: left out of app pages by the Voilà template.
LAB_ONLY_TAG = "mentorkit-lab-only"

#: What a person signed in in Lab is told instead of "bookmark your personal link".
RESUME_ELSEWHERE = (
    "In this JupyterLab tab the other worksheets open with you signed in. Anywhere else "
    "(another browser, after closing this tab, in the workshop's web apps), sign in with "
    "this resume code under “Been here before?”."
)

#: What a kept resume code may look like before it is tried (as session.js checks).
_CODE = re.compile(r"[0-9A-Za-z-]{1,40}")

SCRIPT = resources.files("mentorkit.jupyter").joinpath("lab.js").read_text(encoding="utf-8")


def in_jupyterlab(environ: Mapping[str, str]) -> bool:
    """Whether the kernel was started by JupyterLab (or another Jupyter Server front end)
    for a notebook: the server names the notebook in JPY_SESSION_NAME; Voilà's kernels
    carry VOILA_* variables instead, and nbval's neither."""
    if any(name.startswith("VOILA_") for name in environ):
        return False
    return bool(environ.get("JPY_SESSION_NAME"))


def kept_sign_in_box(on_code: Callable[[str], object]) -> widgets.Text:
    """The hidden text box into which the Lab page script writes the tab's kept resume
    code; `on_code` is called with it (once per value that looks like a code)."""
    box = widgets.Text(layout=widgets.Layout(display="none"))
    box.add_class("mentorkit-lab-kept")

    def arrived(change: Mapping[str, Any]) -> None:
        code = change["new"]
        if isinstance(code, str) and _CODE.fullmatch(code.strip()):
            on_code(code.strip())

    box.observe(arrived, names="value")
    return box


def lab_links_html(notebooks: Iterable[str]) -> str:
    """Hidden links, one per notebook name ('02_mentor_shortlist.ipynb'), for JupyterLab
    to wire up as links that open a document in Lab (see the module doc)."""
    links = "".join(
        f'<a href="{escape(name)}" data-mentorkit-lab-link="{escape(name)}">{escape(name)}</a>'
        for name in notebooks
    )
    return f'<div class="mentorkit-lab-links" hidden>{links}</div>'


def send_lab_page_script(notebooks: Iterable[str]) -> None:
    """Send the Lab page script and the hidden worksheet links as outputs of the running
    cell (before the app itself, which is the cell's result)."""
    from IPython import display as ipython_display

    show: Callable[..., object] = ipython_display.display
    show({"text/html": lab_links_html(notebooks)}, raw=True)
    show({"application/javascript": SCRIPT}, raw=True)
