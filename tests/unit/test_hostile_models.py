"""Hostile input to every model and the framework importer: a clean value or a message in plain
words naming the field, never another exception, never a hang.

Every model class in `mentorkit.models` and `mentorkit.mentoring` is found by inspection, so a
model added later is fuzzed too (it needs an entry in MINIMAL if it has required fields).
"""

from __future__ import annotations

import inspect
import json
import re
import unicodedata
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from mentorkit import mentoring, models
from mentorkit.catalog import MAX_FRAMEWORK_BYTES, load_framework, parse_framework
from mentorkit.errors import FrameworkError, InvalidInput
from mentorkit.models import DOCUMENT_TYPES, validate

# ---------------------------------------------------------------------------------------
# Every model, with the least data that makes it valid

FRAMEWORK = {
    "name": "F",
    "areas": [{"id": "a", "name": "A", "competencies": [{"id": "c", "name": "C"}]}],
}
MINIMAL: dict[str, dict[str, Any]] = {
    "Competency": {"id": "c", "name": "C"},
    "CompetencyArea": {"id": "a", "name": "A", "competencies": [{"id": "c", "name": "C"}]},
    "Framework": FRAMEWORK,
    "Workshop": {"name": "W", "framework": FRAMEWORK},
    "WorkshopSession": {"title": "T", "day": "2026-03-02"},
    "Participant": {"name": "P"},
    "MentorProfile": {"name": "M", "email": "m@example.org", "expertise": ["c"], "capacity": 1},
    "ShortlistEntry": {"mentor_email": "m@example.org"},
    "ProspectiveMentor": {"id": "own-1", "name": "K"},
    "SentRequest": {
        "mentor_email": "m@example.org",
        "message": "Hi",
        "sent_at": "2026-12-07T09:00:00+00:00",
    },
    "RoleRow": {"area": "A"},
    "Milestone": {"title": "T"},
    "GoalReview": {"on": "2027-03-01", "decision": "keep"},
    "SurveyWindow": {"opens_on": "2027-03-01"},
    "SmartGoal": {"title": "T"},
    "ActionItem": {"text": "T"},
    "CheckIn": {"met_on": "2026-03-02"},
    "MentorMatch": {"mentor_email": "m@example.org", "published_on": "2026-03-02"},
    "MentorRequest": {
        "mentor_email": "m@example.org",
        "message": "Hi",
        "sent_at": "2026-12-07T09:00:00+00:00",
    },
    "Answer": {"state": "accepted", "at": "2026-12-07T09:00:00+00:00", "by": "mentor"},
    "Confirmation": {
        "side": "mentee",
        "name": "P",
        "at": "2026-12-07T09:00:00+00:00",
        "fingerprint": "0" * 64,
    },
    "MentorNote": {"text": "T", "by": "M", "at": "2026-12-07T09:00:00+00:00"},
    "SuggestionAnswer": {
        "suggested_at": "2026-12-07T09:00:00+00:00",
        "accepted": True,
        "by": "P",
        "at": "2026-12-07T09:00:00+00:00",
    },
    "AgreementSuggestion": {
        "by": "M",
        "at": "2026-12-07T09:00:00+00:00",
        "based_on": "0" * 64,
    },
}
MODELS: list[type[models.Model]] = sorted(
    (
        cls
        for module in (models, mentoring)
        for cls in vars(module).values()
        if inspect.isclass(cls)
        and issubclass(cls, models.Model)
        and cls not in {models.Model, models.Document}
    ),
    key=lambda cls: cls.__name__,
)
FIELDS = [(model, name) for model in MODELS for name in model.model_fields]
#: Checks across fields: their messages name the fields in words, not by a "Title:" prefix.
WHOLE_MODEL_MESSAGES = (
    "is used twice",
    # A shortlist entry names one mentor: of the directory, or one the participant found.
    "must name one mentor",
    # A survey's window: its closing date after its opening date.
    "closing date is before the opening date",
    "both a strength and a growth area",
    "date is before the",
    "time is not after the",
    "was saved by a newer mentorkit",
    # A request's state and its times (mentorkit.mentoring), and a suggestion's terms.
    "an answer to an unanswered request",
    "is answered but not said when or by whom",
    "is withdrawn but not said when, or not withdrawn",
    "is answered before it was sent",
    "names no term of the agreement",
)


def test_every_document_type_and_the_roster_models_are_fuzzed():
    names = {model.__name__ for model in MODELS}
    assert {cls.__name__ for cls in DOCUMENT_TYPES.values()} <= names
    assert {"Workshop", "Participant", "MentorProfile", "Framework"} <= names


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_the_minimal_data_of_every_model_is_valid(model):
    validate(model, MINIMAL.get(model.__name__, {}))


# ---------------------------------------------------------------------------------------
# Hostile values

CHARACTERS = st.one_of(
    st.characters(exclude_categories=()),  # everything but lone surrogates
    st.characters(codec=None, categories=["Cs"]),  # lone surrogates, as JSON can carry
    st.sampled_from("\u202e\u202d\u2066\u200b\ufeff\x00\x1b\x85\r\n\t ＝"),
)
TEXT = st.text(CHARACTERS, max_size=60)
HUGE_TEXT = st.builds(
    lambda char, size: char * size, CHARACTERS, st.sampled_from([301, 5_001, 1_100_000])
)
HOSTILE_TEXT = st.one_of(
    TEXT,
    HUGE_TEXT,
    st.sampled_from(
        [
            "<img src=x onerror=alert(1)>",
            '=HYPERLINK("http://evil","x")',
            "\u202egnp.exe",
            " ",
            "a@b",
            "ada@example.org",
            "public-speaking",
            "Europe/Berlin",
            "2026-02-30",
            "9" * 5_000,
        ]
    ),
)
SCALARS = st.one_of(
    HOSTILE_TEXT,
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([10**4000, -1, 0, 2**63]),
    st.floats(allow_nan=True, allow_infinity=True),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(HOSTILE_TEXT, inner, max_size=3),
    ),
    max_leaves=8,
)

FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


#: Fields defined without a title, and the words their messages start with.
UNTITLED = {("Participant", "id"): "Id"}


def field_title(model: type[BaseModel], name: str) -> str:
    """The words a message about `name` starts with: the title its definition gives it
    (never the rule the code under test falls back on when a title is missing)."""
    written_out = UNTITLED.get((model.__name__, name))
    if written_out is not None:
        return written_out
    title = model.model_fields[name].title
    assert title, f"{model.__name__}.{name} has no title: give it one, or list it in UNTITLED"
    return title


def test_every_field_but_the_listed_ones_has_a_title():
    untitled = {
        (model.__name__, name) for model, name in FIELDS if not model.model_fields[name].title
    }
    assert untitled == set(UNTITLED)


def assert_plain(problem: str) -> None:
    """A message a person can read: one line, short, no invisible or reordering characters."""
    assert isinstance(problem, str) and problem.strip()
    assert len(problem) <= 400, problem[:200]
    bad = [
        c for c in problem if unicodedata.category(c) in {"Cc", "Cs"} or "\u202a" <= c <= "\u202e"
    ]
    assert not bad, problem[:200]
    assert "Input should" not in problem and "pattern" not in problem, problem  # pydantic's words


def assert_clean(value: Any, *, as_typed: bool = False) -> None:
    """Every text in a validated model: no control characters but line breaks and tabs,
    no lone surrogates, no space at either end (except text kept `as_typed`, a draft's)."""
    if isinstance(value, str):
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]", value), value[:80]
        assert as_typed or value == value.strip() or value == "", value[:80]
    elif isinstance(value, dict):
        for key, item in value.items():
            assert_clean(key)
            assert_clean(item, as_typed=as_typed or key == "draft")
    elif isinstance(value, list):
        for item in value:
            assert_clean(item, as_typed=as_typed)


def check(model: type[BaseModel], field: str, data: dict[str, Any]) -> None:
    try:
        built = validate(model, data)
    except InvalidInput as exc:
        assert exc.problems
        for problem in exc.problems:
            assert_plain(problem)
        title = field_title(model, field)
        assert any(
            problem.startswith(title) or any(m in problem for m in WHOLE_MODEL_MESSAGES)
            for problem in exc.problems
        ), (title, exc.problems)
    else:
        dumped = built.model_dump(mode="json")
        assert_clean(dumped)
        # Whatever validates can be stored and read back unchanged.
        again = type(built).model_validate_json(built.model_dump_json())
        assert again == built


@pytest.mark.slow
@pytest.mark.parametrize(("model", "field"), FIELDS, ids=[f"{m.__name__}.{f}" for m, f in FIELDS])
@FUZZ
@given(value=VALUES)
def test_any_value_in_any_field_is_clean_or_named_in_plain_words(model, field, value):
    check(model, field, {**MINIMAL.get(model.__name__, {}), field: value})


@pytest.mark.parametrize(("model", "field"), FIELDS, ids=[f"{m.__name__}.{f}" for m, f in FIELDS])
def test_a_megabyte_in_any_field_is_refused_naming_the_field_and_its_limit(model, field):
    data = {**MINIMAL.get(model.__name__, {}), field: "x" * 1_000_000}
    with pytest.raises(InvalidInput) as raised:
        validate(model, data)
    problem = raised.value.problems[0]
    assert_plain(problem)
    assert problem.startswith(field_title(model, field))
    if "too long" in problem:
        assert re.search(r"at most [\d,]+ characters", problem), problem


#: Whole messages written out, so that a title or a limit that changes is seen here.
WRITTEN_OUT = [
    (models.Participant, "id", "Id: must be 32 characters from 0-9 and a-f"),
    (models.Participant, "name", "Name: is too long (at most 120 characters)"),
    (models.Workshop, "name", "Workshop name: is too long (at most 120 characters)"),
    (models.Workshop, "starts_on", "Start date: must be a date like 2026-12-31"),
    (
        models.Workshop,
        "code",
        "Join code: must be a join code of eight letters and digits, like ABCD-EFGH",
    ),
    (models.WorkshopSession, "place", "Place or link: is too long (at most 300 characters)"),
    (models.SmartGoal, "title", "Goal: is too long (at most 200 characters)"),
    (models.SmartGoal, "time_bound", "Time-bound: is too long (at most 1000 characters)"),
    (models.CheckIn, "learned", "What I learned: is too long (at most 4000 characters)"),
    (
        models.MentoringAgreement,
        "exit_clause",
        "No-fault exit: is too long (at most 2000 characters)",
    ),
    (models.MentorProfile, "years_experience", "Years of experience: must be a whole number"),
    (models.PlanSharing, "shared", "Share my plan with the facilitator: must be yes or no"),
]


@pytest.mark.parametrize(
    ("model", "field", "message"), WRITTEN_OUT, ids=[f"{m.__name__}.{f}" for m, f, _ in WRITTEN_OUT]
)
def test_a_megabyte_in_these_fields_is_refused_in_these_words(model, field, message):
    data = {**MINIMAL.get(model.__name__, {}), field: "x" * 1_000_000}
    with pytest.raises(InvalidInput) as raised:
        validate(model, data)
    assert raised.value.problems == [message]


TEXT_FIELDS = [
    (model, name)
    for model, name in FIELDS
    if model.model_fields[name].annotation is str
    and any(getattr(m, "max_length", None) for m in model.model_fields[name].metadata)
]


@pytest.mark.parametrize(
    ("model", "field"), TEXT_FIELDS, ids=[f"{m.__name__}.{f}" for m, f in TEXT_FIELDS]
)
def test_a_megabyte_note_states_the_fields_limit(model, field):
    limit = next(
        m.max_length for m in model.model_fields[field].metadata if getattr(m, "max_length", None)
    )
    data = {**MINIMAL.get(model.__name__, {}), field: "note " * 200_000}
    with pytest.raises(InvalidInput) as raised:
        validate(model, data)
    assert raised.value.problems == [
        f"{field_title(model, field)}: is too long (at most {limit} characters)"
    ]


LIST_OF_TEXT_FIELDS = [
    (models.SelfAssessment, "values", 60),
    (models.MentoringPreferences, "languages", 40),
    (models.MentorProfile, "languages", 40),
    (models.MentoringAgreement, "relationship_goals", 300),
    (models.CheckIn, "topics", 120),
]


@pytest.mark.parametrize(
    ("model", "field", "limit"),
    LIST_OF_TEXT_FIELDS,
    ids=[f"{m.__name__}.{f}" for m, f, _ in LIST_OF_TEXT_FIELDS],
)
def test_a_megabyte_entry_in_a_list_names_the_entry_and_the_limit(model, field, limit):
    data = {**MINIMAL.get(model.__name__, {}), field: ["fine", "note " * 200_000]}
    with pytest.raises(InvalidInput) as raised:
        validate(model, data)
    assert raised.value.problems == [
        f"{field_title(model, field)} #2: is too long (at most {limit} characters)"
    ]


def test_text_fields_are_found():
    found = {f"{model.__name__}.{name}" for model, name in TEXT_FIELDS}
    assert {"SmartGoal.specific", "CheckIn.learned", "Participant.name", "Workshop.name"} <= found
    assert len(found) >= 25  # names, notes, goals, bios …: the test above is not empty


@pytest.mark.parametrize(
    "data",
    [
        {"title": "T", "nope" * 100_000: 1},  # an unknown field with a huge name
        {"ratings": {"x" * 1_000_000: 3}},  # a huge competency id
        {"ratings": {"\ud800\u202e": 3}},
        {"preferences": {"time_zone": "Europe/" + "x" * 1_000_000}},
        {"values": ["same", "same" + " " * 1_000_000]},
    ],
    ids=["unknown-field", "huge-key", "surrogate-key", "huge-time-zone", "huge-duplicate"],
)
def test_messages_quote_at_most_a_short_excerpt_of_what_was_sent(data):
    model = models.SmartGoal if "title" in data else models.SelfAssessment
    with pytest.raises(InvalidInput) as raised:
        validate(model, data)
    for problem in raised.value.problems:
        assert_plain(problem)


# ---------------------------------------------------------------------------------------
# The framework importer (YAML)


def load_text(tmp_path_factory, text: str | bytes):
    path = tmp_path_factory.mktemp("framework") / "framework.yaml"
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
    else:
        path.write_bytes(text)
    return load_framework(path)


def check_framework(tmp_path_factory, text: str | bytes) -> None:
    try:
        framework = load_text(tmp_path_factory, text)
    except FrameworkError as exc:
        message = str(exc)
        assert message.startswith(str(tmp_path_factory.getbasetemp())), message[:200]
        assert len(message) < 2_000, message[:200]
    else:
        assert isinstance(framework, models.Framework)
        assert_clean(framework.model_dump(mode="json"))


YAML_PIECES = st.sampled_from(
    [
        "name: F\n",
        "areas:\n",
        "  - id: a\n    name: A\n    competencies:\n",
        "      - {id: c, name: C}\n",
        "      - {id: c, name: C}\n",  # a repeated id
        "&a [*a]\n",
        "!!python/object/apply:os.system ['echo pwned']\n",
        "? [a, b]\n: c\n",
        "x: !!binary AAAA\n",
        "- \t\x00\n",
        "name: '\\ud800'\n",
        '"\\x85\\u202e"\n',
        ": :\n",
        "{" * 50,
    ]
)


@FUZZ
@given(pieces=st.lists(st.one_of(YAML_PIECES, TEXT), max_size=8))
def test_any_yaml_text_is_a_framework_or_a_message_naming_the_file(tmp_path_factory, pieces):
    check_framework(tmp_path_factory, "".join(pieces))


@FUZZ
@given(data=st.binary(max_size=300))
def test_any_bytes_are_a_framework_or_a_message_naming_the_file(tmp_path_factory, data):
    check_framework(tmp_path_factory, data)


#: "Billion laughs": aliases that would be 10**9 items if they were copied, not shared.
LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8)
)


#: PyYAML's parser recurses once per level of nesting; catalog.parse_framework does not
#: catch the RecursionError yet (the fix is a change to catalog.py, which is not this
#: test's module): strict, so the marks must go when the fix is in.
@pytest.mark.slow
@pytest.mark.parametrize(
    "text",
    [
        pytest.param("[" * 100_000, id="deep-flow"),
        pytest.param("a: " + "[" * 5_000 + "]" * 5_000, id="deep-value"),
        pytest.param(LAUGHS + "name: F\nareas: *i\n", id="billion-laughs-areas"),
        pytest.param(
            LAUGHS + "name: F\nareas: [{id: a, name: A, competencies: [{id: c, name: *i}]}]\n",
            id="billion-laughs-name",
        ),
        pytest.param(
            LAUGHS + "name: F\nareas: [{id: a, name: A, competencies: [{id: c, name: C}]}]\n"
            "extra: *i\n",
            id="billion-laughs-unknown-field",
        ),
        pytest.param(
            "name: F\nareas: ["
            + ", ".join(["{id: a, name: A, competencies: []}"] * 20_000)
            + "]\n",
            id="many-areas",
        ),
    ],
)
def test_a_framework_bomb_is_refused_with_a_message(tmp_path_factory, text):
    assert len(text.encode()) <= MAX_FRAMEWORK_BYTES
    with pytest.raises(FrameworkError) as raised:
        load_text(tmp_path_factory, text)
    assert len(str(raised.value)) < 2_000


def test_a_framework_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.yaml"
    with path.open("wb") as file:
        file.truncate(50 * 1024 * 1024)  # sparse: 50 MB that costs no disk
    with pytest.raises(FrameworkError, match="larger than 1 MB"):
        load_framework(path)


def test_parse_framework_names_the_source():
    with pytest.raises(FrameworkError, match=r"^mine\.yaml: "):
        parse_framework(json.dumps({"name": "F", "areas": []}), source="mine.yaml")
