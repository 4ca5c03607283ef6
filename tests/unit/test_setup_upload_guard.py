"""The widget guard and file uploads: a FileUpload takes the file a person chose, as
ipywidgets sends it (its content a binary buffer), within its byte limit; oversize, crafted
and misplaced buffers are refused, and the setup app's uploads act on what got through."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import comm
import ipywidgets as widgets
import pytest

from mentorkit.testing import widget_tree
from mentorkit.ui import guard
from mentorkit.ui.setup import FrameworkSection, SetupView, setup_app
from mentorkit.workshops import create_workshop

FRAMEWORK = b"""name: Uploaded framework
areas:
  - id: talk
    name: Talking
    competencies:
      - id: negotiation
        name: Negotiation
"""


@pytest.fixture
def guarded() -> Iterator[None]:
    manager = comm.get_comm_manager()
    targets = dict(manager.targets)
    guard.install(manager)
    try:
        yield
    finally:
        guard.uninstall()
        manager.targets.clear()
        manager.targets.update(targets)


def file_entry(name: str = "f.yaml", size: int = 3) -> dict[str, Any]:
    return {"name": name, "type": "application/x-yaml", "size": size, "last_modified": 1.7e12}


def page_uploads(
    widget: widgets.Widget,
    files: list[dict[str, Any]],
    buffers: list[bytes],
    paths: list[list[Any]] | None = None,
) -> None:
    """An "update" as ipywidgets' FileUpload sends it: each file's content as a buffer."""
    if paths is None:
        paths = [["value", i, "content"] for i in range(len(buffers))]
    widget.comm.handle_msg(
        {
            "content": {
                "comm_id": widget.model_id,
                "data": {"method": "update", "state": {"value": files}, "buffer_paths": paths},
            },
            "buffers": [memoryview(b) for b in buffers],
        }
    )


def upload(limit: int | None = None) -> widgets.FileUpload:
    widget = widgets.FileUpload(accept=".yaml")
    if limit is not None:
        widget.add_class(f"mentorkit-upload-max-{limit}")
    return widget


def test_a_chosen_file_reaches_the_kernel(guarded):
    widget = upload()
    page_uploads(widget, [file_entry(size=3)], [b"abc"])
    assert [bytes(f["content"]) for f in widget.value] == [b"abc"]
    assert widget.value[0]["name"] == "f.yaml"


def test_a_file_over_the_limit_is_refused(guarded):
    widget = upload(limit=10)
    page_uploads(widget, [file_entry(size=11)], [b"x" * 11])
    assert widget.value == ()
    big = upload()
    page_uploads(big, [file_entry(size=guard.UPLOAD_LIMIT + 1)], [b"x" * (guard.UPLOAD_LIMIT + 1)])
    assert big.value == ()


@pytest.mark.parametrize(
    ("files", "buffers", "paths"),
    [
        ([file_entry(), file_entry()], [b"a", b"b"], None),  # two files, one allowed
        ([{**file_entry(), "extra": 1}], [b"a"], None),
        ([file_entry()], [b"a"], [["value", 0, "name"]]),
        ([file_entry()], [b"a"], [["description"]]),
        ([file_entry()], [b"a"], [["value", 5, "content"]]),
        ([{**file_entry(), "content": "text, not bytes"}], [], []),
        ([{**file_entry(name="x" * 300)}], [b"a"], None),
        ([{**file_entry(), "size": "3"}], [b"a"], None),
    ],
)
def test_an_upload_no_person_could_send_is_refused(guarded, files, buffers, paths):
    widget = upload()
    page_uploads(widget, files, buffers, paths)
    assert widget.value == ()


def test_binary_buffers_for_other_widgets_are_still_refused(guarded):
    text = widgets.Text()
    text.comm.handle_msg(
        {
            "content": {
                "comm_id": text.model_id,
                "data": {
                    "method": "update",
                    "state": {"value": None},
                    "buffer_paths": [["value"]],
                },
            },
            "buffers": [memoryview(b"sneaked")],
        }
    )
    assert text.value == ""


def test_a_disabled_upload_takes_nothing(guarded):
    widget = upload()
    widget.disabled = True
    page_uploads(widget, [file_entry()], [b"abc"])
    assert widget.value == ()


def test_a_framework_uploaded_through_the_guard_is_applied_and_the_upload_emptied(guarded, store):
    access = create_workshop(store, "Spring cohort")
    app = setup_app(store=store, environ={}, refusal_delay=0)
    app.join.value = access.workshop.code
    app.key.value = access.facilitator_key
    app.sign_in_button.click()
    assert isinstance(app.view, SetupView)
    section = next(w for w in widget_tree(app) if isinstance(w, FrameworkSection))
    page_uploads(section.upload, [file_entry(size=len(FRAMEWORK))], [FRAMEWORK])
    assert store.workshop(access.workshop.code).framework.name == "Uploaded framework"
    assert section.upload.value == ()
