"""What `mentorkit serve` hands the page template: the workshop's name for the opening panel,
and the page timeout, without losing what voila.json sets."""

from __future__ import annotations

import json

from traitlets.config import Application

from mentorkit.cli import VOILA_CONFIG, serve_command, served_workshop_name
from mentorkit.workshops import create_workshop

RESOURCES = "--VoilaConfiguration.resources="


def resources_voila_reads(command: list[str]) -> dict[str, object]:
    """`VoilaConfiguration.resources` as Voilà ends up with it: voila.json read from the
    repository, then the command line's options over it (traitlets' own loading)."""
    from voila.configuration import VoilaConfiguration

    app = Application()
    app.classes = [VoilaConfiguration]
    app.parse_command_line([arg for arg in command if arg.startswith("--VoilaConfiguration.")])
    app.load_config_file(VOILA_CONFIG.name, path=[str(VOILA_CONFIG.parent)])
    return dict(app.config.VoilaConfiguration.resources)


def test_the_only_workshop_in_the_database_is_the_one_named_on_the_pages(store):
    assert served_workshop_name(store) is None
    create_workshop(store, "Spring <b>mentoring</b> & co")
    assert served_workshop_name(store) == "Spring <b>mentoring</b> & co"
    create_workshop(store, "Autumn cohort")
    assert served_workshop_name(store) is None  # which one would be a guess


def test_the_workshop_name_reaches_the_template_beside_voila_json_resources():
    name = "Mentoring = growth, 2026 [pilot] & more"
    resources = resources_voila_reads(serve_command("127.0.0.1", 8866, workshop_name=name))
    assert resources["mentorkit_workshop_name"] == name
    # voila.json's page timeout is still there: a resource on the command line replaces
    # voila.json's whole `resources`, so serve_command gives them again.
    expected = json.loads(VOILA_CONFIG.read_text())["VoilaConfiguration"]["resources"]
    assert str(resources["mentorkit_page_timeout"]) == str(expected["mentorkit_page_timeout"])

    both = resources_voila_reads(
        serve_command("127.0.0.1", 8866, page_timeout=7, workshop_name=name)
    )
    assert both["mentorkit_page_timeout"] == "7"
    assert both["mentorkit_workshop_name"] == name


def test_without_a_workshop_name_or_timeout_voila_json_decides_alone():
    command = serve_command("127.0.0.1", 8866, workshop_name=None)
    assert not [arg for arg in command if arg.startswith(RESOURCES)], command
