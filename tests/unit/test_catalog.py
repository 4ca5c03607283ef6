"""The competency framework is data, and a malformed file gets a clear error."""

import pytest

from mentorkit.catalog import DEFAULT_FRAMEWORK, load_framework, parse_framework
from mentorkit.errors import FrameworkError

AREAS = {
    "Domain and technical skills",
    "Communication",
    "Leadership",
    "Networking",
    "Navigating workplace dynamics",
    "Career planning",
    "Confidence and resilience",
}


def test_the_default_framework_covers_the_workshop_areas(framework):
    assert {area.name for area in framework.areas} == AREAS
    for area in framework.areas:
        assert 3 <= len(area.competencies) <= 6
        assert all(c.description for c in area.competencies)
    assert framework.area_of("public-speaking").id == "communication"


def test_a_facilitator_file_is_used(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(
        "name: Ours\nareas:\n  - id: craft\n    name: Craft\n    competencies:\n"
        "      - id: pottery\n        name: Pottery\n",
        encoding="utf-8",
    )
    assert list(load_framework(path).competencies()) == ["pottery"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: x\nareas: [\n", "line 3"),
        ("- just\n- a list\n", "expected a mapping with 'name' and 'areas'"),
        ("name: x\nareas: []\n", "Areas: needs at least 1 item"),
        (
            "name: x\nareas:\n  - id: a\n    name: A\n    competencies:\n      - id: b\n",
            "Areas #1 › Competencies #1 › Name: is required",
        ),
        (
            "name: x\nareas:\n  - id: a\n    name: A\n    competencies:\n"
            "      - {id: b, name: B}\n      - {id: b, name: C}\n",
            "id 'b' is used twice",
        ),
        (
            "name: x\nareas:\n  - id: Bad Id\n    name: A\n    competencies:\n"
            "      - {id: b, name: B}\n",
            "Areas #1 › Id",
        ),
    ],
)
def test_a_malformed_framework_says_what_and_where(text, message):
    with pytest.raises(FrameworkError) as caught:
        parse_framework(text, source="mine.yaml")
    assert str(caught.value).startswith("mine.yaml: ")
    assert message in str(caught.value)


def test_a_missing_or_unreadable_file_is_named(tmp_path):
    with pytest.raises(FrameworkError, match="no such file"):
        load_framework(tmp_path / "nope.yaml")
    with pytest.raises(FrameworkError, match="is a folder"):
        load_framework(tmp_path)
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("name: Caf\xe9\n".encode("latin-1"))
    with pytest.raises(FrameworkError, match="not UTF-8"):
        load_framework(latin1)


def test_the_default_file_ships_with_the_package():
    assert DEFAULT_FRAMEWORK.is_file()


def test_guidance_paragraphs_come_on_one_line_each_for_the_text_boxes(tmp_path):
    from mentorkit.catalog import load_guidance

    source = tmp_path / "guidance.yaml"
    source.write_text(
        "01_self_assessment: |\n  A first line\n  wrapped here.\n\n  Second   paragraph.\n",
        encoding="utf-8",
    )
    assert load_guidance(source) == {
        "01_self_assessment": "A first line wrapped here.\n\nSecond paragraph."
    }
