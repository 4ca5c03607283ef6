"""Every `mentorkit` command that acts on a workshop has its counterpart in the Workshop
setup app: the CLI's parser is walked, and each counterpart control is looked for in a
built setup page."""

from __future__ import annotations

import argparse

import ipywidgets as widgets
import pytest

from mentorkit.cli import build_parser
from mentorkit.testing import find_widget
from mentorkit.ui.setup import CLI_COUNTERPARTS, NOT_WORKSHOP_COMMANDS, SetupView, setup_app
from mentorkit.workshops import create_workshop


def cli_commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[str]:
    """Every command the CLI runs, as typed after `mentorkit` ('people reset')."""
    found: list[str] = []
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        for name, sub in action.choices.items():
            nested = cli_commands(sub, (*prefix, name))
            found += nested or [" ".join((*prefix, name))]
    return found


COMMANDS = cli_commands(build_parser())


def test_the_parser_is_walked_to_its_leaves():
    assert {"init", "restore", "delete-workshop", "people merge", "serve"} <= set(COMMANDS)
    assert "people" not in COMMANDS


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_a_counterpart_or_a_reason_it_needs_none(command):
    assert (command in CLI_COUNTERPARTS) != (command in NOT_WORKSHOP_COMMANDS), (
        f"`mentorkit {command}`: name its control in mentorkit.ui.setup.CLI_COUNTERPARTS, or "
        "say in NOT_WORKSHOP_COMMANDS why it does not act on a workshop"
    )


def test_no_counterpart_names_a_command_the_cli_does_not_have():
    assert set(CLI_COUNTERPARTS) | set(NOT_WORKSHOP_COMMANDS) <= set(COMMANDS)


@pytest.fixture
def setup_page(store) -> SetupView:
    access = create_workshop(store, "Spring cohort")
    app = setup_app(store=store, environ={}, refusal_delay=0)
    app.join.value = access.workshop.code
    app.key.value = access.facilitator_key
    app.sign_in_button.click()
    assert isinstance(app.view, SetupView)
    return app.view


@pytest.mark.parametrize("command", CLI_COUNTERPARTS)
def test_each_counterpart_control_is_on_the_setup_page(setup_page, command):
    control = find_widget(setup_page, widgets.DOMWidget, CLI_COUNTERPARTS[command])
    assert control is not None, f"no control '{CLI_COUNTERPARTS[command]}' for {command}"
