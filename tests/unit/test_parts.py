"""The shared parts of the worksheet cards: the list of rows, the two-step remove, fields."""

from datetime import date
from typing import Any

import ipywidgets as widgets
import pytest

from mentorkit.ui.fields import Fields
from mentorkit.ui.frame import Notice
from mentorkit.ui.parts import ConfirmRemove, Row, RowList

HOSTILE = "<img src=x onerror=alert(1)>"


class StepRow(Row):
    """A row with one text input, like a milestone without a date."""

    def __init__(self, number: int, saved: str | None = None) -> None:
        super().__init__()
        self.text = widgets.Text(value=saved or "")
        self.remove = widgets.Button()
        self.renumber(number)
        self.children = [self.text, self.remove]

    def renumber(self, number: int) -> None:
        self.text.description = f"Step {number}"
        self.remove.description = f"Remove step {number}"

    def inputs(self) -> list[widgets.Widget]:
        return [self.text]

    def is_blank(self) -> bool:
        return not self.text.value.strip()

    def data(self) -> dict[str, Any]:
        return {"text": self.text.value}


@pytest.fixture
def focused(monkeypatch) -> list[widgets.Widget]:
    """The widgets asked to take keyboard focus, in order."""
    asked: list[widgets.Widget] = []
    monkeypatch.setattr(widgets.DOMWidget, "focus", lambda self: asked.append(self))
    return asked


def step_list(saved=(), changes: list | None = None, **options) -> RowList[str, StepRow]:
    return RowList(
        StepRow,
        saved=saved,
        add=widgets.Button(description="Add step"),
        maximum=options.pop("maximum", 3),
        notice=options.pop("notice", Notice()),
        on_change=lambda: changes.append(True) if changes is not None else None,
        **options,
    )


def labels(rows: RowList[str, StepRow]) -> list[str]:
    return [row.text.description for row in rows.rows]


def test_saved_rows_are_numbered_in_order_and_shown():
    rows = step_list(["One", "Two"])
    assert labels(rows) == ["Step 1", "Step 2"]
    assert list(rows.children) == rows.rows
    assert [row.text.value for row in rows.rows] == ["One", "Two"]


def test_adding_a_row_focuses_its_first_input_and_saves_nothing(focused):
    changes: list = []
    rows = step_list(["One"], changes)
    rows.add.click()
    assert labels(rows) == ["Step 1", "Step 2"]
    assert focused == [rows.rows[1].text]
    assert changes == []  # a blank row changes no document


def test_a_new_row_can_leave_the_focus_where_it_is(focused):
    rows = step_list(focus_new_row=False)
    rows.add.click()
    assert len(rows.rows) == 1
    assert focused == []


def test_removing_a_row_renumbers_the_rest_saves_and_focuses_the_add_button(focused):
    changes: list = []
    rows = step_list(["One", "Two", "Three"], changes)
    first = rows.rows[0]
    first.remove.click()
    assert [row.text.value for row in rows.rows] == ["Two", "Three"]
    assert labels(rows) == ["Step 1", "Step 2"]
    assert [row.remove.description for row in rows.rows] == ["Remove step 1", "Remove step 2"]
    assert changes == [True]
    assert focused == [rows.add]
    first.remove.click()  # a second click on a row already gone does nothing
    assert len(rows.rows) == 2
    assert changes == [True]


def test_keeping_focus_in_place_focuses_the_remove_button_that_moved_up(focused):
    rows = step_list(["One", "Two"], keep_focus_in_place=True)
    rows.rows[0].remove.click()
    assert focused == [rows.rows[0].remove]
    rows.rows[0].remove.click()  # the last row: nothing moved up, so the Add button
    assert focused[-1] is rows.add


def test_typing_in_a_row_calls_on_change():
    changes: list = []
    rows = step_list(["One"], changes)
    rows.rows[0].text.value = "One, edited"
    assert changes == [True]


def test_a_full_list_disables_add_says_so_and_ignores_a_forced_click():
    rows = step_list(["A", "B"], maximum=3, full_note=f"3 steps is the most {HOSTILE}")
    assert not rows.add.disabled
    assert rows.note.value == ""
    rows.add.click()
    assert rows.add.disabled
    assert rows.note.value == (
        '<span class="mentorkit-muted">3 steps is the most '
        "&lt;img src=x onerror=alert(1)&gt;</span>"
    )
    rows.add.click()  # a client can still send the click of a disabled button
    assert len(rows.rows) == 3
    rows.rows[0].remove.click()
    assert not rows.add.disabled
    assert rows.note.value == ""


def test_an_empty_list_shows_its_empty_note():
    rows = step_list(["Only"], empty_note="No steps: the standard ones are used.")
    assert rows.note.value == ""
    rows.rows[0].remove.click()
    assert rows.note.value == (
        '<p class="mentorkit-muted">No steps: the standard ones are used.</p>'
    )


def test_data_leaves_blank_rows_out():
    rows = step_list(["One"])
    rows.add.click()
    rows.add.click()
    rows.rows[2].text.value = "Three"
    assert rows.data() == [{"text": "One"}, {"text": "Three"}]


def test_an_error_while_saving_is_shown_not_raised():
    def fail() -> None:
        raise RuntimeError("the store is down")

    notice = Notice()
    rows = RowList(
        StepRow,
        saved=["One"],
        add=widgets.Button(),
        maximum=3,
        notice=notice,
        on_change=fail,
    )
    rows.rows[0].text.value = "Changed"
    assert "Something went wrong on our side" in notice.value


def test_removing_takes_a_second_step_that_can_be_declined(focused):
    confirmed: list = []
    removal = ConfirmRemove(
        "goal 2",
        f"Remove goal 2? {HOSTILE}",
        on_confirm=lambda: confirmed.append(True),
        notice=Notice(),
    )
    assert removal.remove.description == "Remove goal 2"
    assert removal.confirm.description == "Confirm remove goal 2"
    assert removal.confirm.button_style == "danger"
    assert removal.keep.description == "Keep goal 2"
    assert removal.layout.display == "none"
    assert "mentorkit-confirm" in removal._dom_classes
    assert (
        removal.children[0].value
        == "<span>Remove goal 2? &lt;img src=x onerror=alert(1)&gt;</span>"
    )

    removal.remove.click()
    assert removal.layout.display == "flex"
    assert focused == [removal.confirm]
    removal.keep.click()
    assert removal.layout.display == "none"
    assert focused[-1] is removal.remove
    assert confirmed == []

    removal.remove.click()
    removal.confirm.click()
    assert confirmed == [True]


def test_fields_line_labels_up_in_one_column():
    fields = Fields("12rem")
    when = fields.date_picker("Start date", date(2027, 1, 4))
    notes = fields.textarea("Notes", "Some", "Write here", height="4rem")
    kind = fields.dropdown("Kind", [("One", 1), ("Two", 2)], 2)
    for widget in (when, notes, kind):
        assert widget.style.description_width == "12rem"
    assert (when.description, when.value, when.layout.width) == (
        "Start date",
        date(2027, 1, 4),
        "24rem",
    )
    assert (notes.placeholder, notes.layout.width, notes.layout.height) == (
        "Write here",
        "100%",
        "4rem",
    )
    assert (kind.value, kind.label, kind.layout.width) == (2, "Two", "34rem")
    assert not kind.description_allow_html
