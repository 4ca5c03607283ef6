"""Configuration of every participant's single-user server (loaded with `--config=`).

The apps' folder (mentorkit's `notebooks/`) is the same folder for every participant, so
anything written into it would be served by everyone's server: a notebook someone saved
there would run its code in the kernel of whoever opened it. The contents API of these
servers therefore refuses every write: saving, uploading, creating, renaming, deleting and
checkpoints answer 403, and reading works as before (Voilà renders from it).

This closes the web route. On a real spawner (one system user per participant) the folder
must also be owned by someone else and not writable by participants, so that code in a
kernel cannot write into it either (see README.md).
"""

from __future__ import annotations

from typing import Any

from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
from tornado import web

c = get_config()  # noqa: F821  (the Jupyter server provides get_config)

READ_ONLY = "The workshop's apps cannot be changed from here: this folder is read-only."


class ReadOnlyContentsManager(AsyncLargeFileManager):
    """The server's files, readable and never written through the contents API."""

    def _refuse(self) -> None:
        raise web.HTTPError(403, READ_ONLY)

    async def save(self, model: dict[str, Any], path: str = "") -> dict[str, Any]:
        self._refuse()
        raise AssertionError  # unreachable; keeps the signature's return type

    async def delete_file(self, path: str) -> None:
        self._refuse()

    async def rename_file(self, old_path: str, new_path: str) -> None:
        self._refuse()

    async def create_checkpoint(self, path: str) -> dict[str, Any]:
        self._refuse()
        raise AssertionError

    async def restore_checkpoint(self, checkpoint_id: str, path: str) -> None:
        self._refuse()

    async def delete_checkpoint(self, checkpoint_id: str, path: str) -> None:
        self._refuse()


c.ServerApp.contents_manager_class = ReadOnlyContentsManager
