"""File uploads in the apps: one kind of upload button, and the files it received.

The page sends a chosen file to the kernel as one websocket message, and the server
refuses a message over 1 MiB (voila.json), so a file here is at most `MAX_UPLOAD_BYTES`.
The kernel-side guard (`mentorkit.ui.guard`) refuses an upload over the button's
`mentorkit-upload-max-<N>` class before the view sees it.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as widgets

#: The largest file the page takes: the file shares its message with a small JSON header.
MAX_UPLOAD_BYTES = 1_000_000
#: How the limit reads on the page.
MAX_UPLOAD_WORDS = "1 MB"
#: A suffix is kept for the temporary file only when it looks like one.
_SUFFIX = re.compile(r"\.[a-z0-9]{1,8}")


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


def uploaded_files(value: Iterable[object] | None) -> list[Upload]:
    """The files in a `FileUpload` value (ipywidgets 8: dicts, or objects with the same
    attributes, holding name and content)."""
    found: list[Upload] = []
    for entry in value or ():
        name = _field(entry, "name")
        content = _field(entry, "content")
        if content is None:
            continue
        found.append(Upload(str(name or "file"), memoryview(content).tobytes()))
    return found


def take_upload(upload: widgets.FileUpload) -> Upload | None:
    """The file just chosen in `upload`, taken out of it (None when there is none): the
    bytes are read once, and the same file may be chosen again."""
    files = uploaded_files(upload.value)
    if not files:
        return None  # the value was emptied after reading, or nothing was chosen
    upload.value = ()
    return files[0]


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


class TemporaryUpload:
    """An upload written to a private temporary file with its suffix (readers of rosters,
    frameworks and backups take paths, and the suffix says how to read it); deleted on exit.
    """

    def __init__(self, upload: Upload) -> None:
        self.upload = upload
        self._folder = tempfile.TemporaryDirectory(prefix="mentorkit-upload-")
        suffix = Path(upload.name).suffix.lower()
        self.path = Path(self._folder.name) / f"upload{suffix if _SUFFIX.fullmatch(suffix) else ''}"

    def __enter__(self) -> Path:
        descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(self.upload.content)
        return self.path

    def __exit__(self, *_exc: object) -> None:
        self._folder.cleanup()

    def message(self, error: Exception) -> str:
        """The error's sentence with the temporary path replaced by the uploaded file's
        name, so the facilitator reads the file they chose."""
        return str(error).replace(str(self.path), f"'{shown_name(self.upload.name)}'")
