"""File uploads in the apps: one kind of upload button, and the files it received.

The page sends a chosen file to the kernel as one websocket message, and the server
refuses a message over 1 MiB (voila.json), so a file here is at most `MAX_UPLOAD_BYTES`.
The kernel-side guard (`mentorkit.ui.guard`) refuses an upload over the button's
`mentorkit-upload-max-<N>` class before the view sees it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets

#: The largest file the page takes: the file shares its message with a small JSON header.
MAX_UPLOAD_BYTES = 1_000_000
#: How the limit reads on the page.
MAX_UPLOAD_WORDS = "1 MB"


@dataclass(frozen=True)
class Upload:
    """One uploaded file: its name as the browser gave it, and its bytes."""

    name: str
    content: bytes


def file_upload(accept: str, description: str, *, tooltip: str = "") -> widgets.FileUpload:
    """An upload button for one file of the `accept` types, limited to `MAX_UPLOAD_BYTES`."""
    upload = widgets.FileUpload(
        accept=accept,
        multiple=False,
        description=description,
        tooltip=tooltip or f"A file of at most {MAX_UPLOAD_WORDS}",
        layout=widgets.Layout(width="auto"),
    )
    upload.add_class(f"mentorkit-upload-max-{MAX_UPLOAD_BYTES}")
    return upload


def uploaded_files(value: object) -> list[Upload]:
    """The files in a `FileUpload` value (ipywidgets 8: dicts, or objects with the same
    attributes, holding name and content)."""
    found: list[Upload] = []
    for entry in value or ():  # type: ignore[attr-defined]
        name = _field(entry, "name")
        content = _field(entry, "content")
        if content is None:
            continue
        found.append(Upload(str(name or "file"), memoryview(content).tobytes()))
    return found


def _field(entry: Any, name: str) -> Any:
    if isinstance(entry, Mapping):
        return entry.get(name)
    return getattr(entry, name, None)


def shown_name(name: str) -> str:
    """A file name as a message may quote it: its last part, printable, at most 80
    characters."""
    base = re.split(r"[\\/]", name)[-1]
    printable = "".join(char if char.isprintable() else "\ufffd" for char in base)
    return (printable[:80] + "…") if len(printable) > 80 else printable or "the file"
