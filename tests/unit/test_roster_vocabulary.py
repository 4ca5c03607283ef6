"""Expertise as mentors write it: names, areas, plurals and synonyms match the framework;
anything else is kept as a tag, and a realistic 40-mentor spreadsheet export imports."""

import csv
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from mentorkit.backup import backup_workshop, restore_backup
from mentorkit.catalog import load_expertise_synonyms, load_framework
from mentorkit.cli import main
from mentorkit.errors import FrameworkError
from mentorkit.expertise import ExpertiseVocabulary, term_key
from mentorkit.fit import rank_mentors, score_matrix
from mentorkit.matching import assign
from mentorkit.models import MAX_TAGS, MeetingFormat, MentorProfile, SelfAssessment
from mentorkit.rosters import read_mentors
from mentorkit.store import open_store
from mentorkit.workshops import create_workshop

EXPORT = Path(__file__).parent / "data" / "mentors_spreadsheet_export.csv"
FORMAT_1_BACKUP = Path(__file__).parent / "data" / "backup-format-1.jsonl"
LEADERSHIP = [
    "delegation",
    "decision-making",
    "leading-meetings",
    "coaching-others",
    "leading-change",
]
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def framework():
    return load_framework()


@pytest.fixture(scope="module")
def vocabulary(framework) -> ExpertiseVocabulary:
    return ExpertiseVocabulary(framework, load_expertise_synonyms())


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def mentors(tmp_path: Path, *expertise: str) -> list[MentorProfile]:
    rows = [["name", "email", "expertise", "capacity"]]
    rows += [[f"M{i}", f"m{i}@example.org", cell, "1"] for i, cell in enumerate(expertise)]
    result = read_mentors(write_csv(tmp_path / "m.csv", rows), load_framework())
    assert result.problems == []
    return result.records


# ---------------------------------------------------------------------------------------
# The vocabulary


@pytest.mark.parametrize(
    "term",
    [
        "Public speaking",
        "public-speaking",
        "PUBLIC SPEAKING",
        "  Public   Speaking ",
        "Public_Speaking.",
    ],
)
def test_case_spacing_and_punctuation_do_not_matter(vocabulary, term):
    assert vocabulary.match(term) == ("public-speaking",)


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("Negotiations", "negotiation"),
        ("Public speakings", "public-speaking"),
        ("Career transition", "career-transitions"),  # the framework's name is the plural
        ("Imposter feeling", "imposter-feelings"),
        ("Stakeholders management", "stakeholder-management"),
        ("Negotiation skills", "negotiation"),
        ("Self advocacy", "self-advocacy"),
        ("Négotiation", "negotiation"),
    ],
)
def test_plurals_a_trailing_skills_and_accents_are_forgiven(vocabulary, term, expected):
    assert vocabulary.match(term) == (expected,)


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("presenting", ("public-speaking",)),
        ("Presentations", ("public-speaking",)),
        ("mentoring", ("coaching-others",)),
        ("Coaching", ("coaching-others",)),
        ("stakeholders", ("stakeholder-management",)),
        ("delegating", ("delegation",)),
        ("Imposter syndrome", ("imposter-feelings",)),
        ("people management", tuple(LEADERSHIP)),
        ("Management", tuple(LEADERSHIP)),
    ],
)
def test_synonyms_come_from_the_data_file(vocabulary, term, expected):
    assert vocabulary.match(term) == expected


def test_an_area_by_name_or_id_means_every_competency_in_it(vocabulary, framework):
    career = [
        c.id for c in next(a for a in framework.areas if a.id == "career-planning").competencies
    ]
    assert vocabulary.match("Leadership") == tuple(LEADERSHIP)
    assert vocabulary.match("career planning") == tuple(career)
    assert vocabulary.match("career-planning") == tuple(career)
    assert vocabulary.match("Confidence & resilience") == vocabulary.match("confidence-resilience")
    assert len(vocabulary.match("Confidence & resilience")) == 5


def test_an_unknown_term_matches_nothing(vocabulary):
    assert vocabulary.match("Kubernetes") == ()
    assert vocabulary.match("") == ()
    assert vocabulary.suggestion("Publc speaking") == "Public speaking"
    assert vocabulary.suggestion("Kubernetes") is None


def test_accepted_names_list_each_area_then_its_competencies(vocabulary, framework):
    names = vocabulary.accepted_names()
    assert names[:2] == ["Domain and technical skills (area)", "Technical depth"]
    assert "Leadership (area)" in names and "Stress management" in names
    assert len(names) == len(framework.areas) + len(framework.competencies())


def test_framework_names_win_over_synonyms_and_unknown_targets_are_skipped(framework):
    vocabulary = ExpertiseVocabulary(
        framework, {"Negotiation": "delegation", "Quantum": "no-such-competency"}
    )
    assert vocabulary.match("negotiation") == ("negotiation",)
    assert vocabulary.match("Quantum") == ()


def test_term_keys_ignore_case_punctuation_and_plural_endings():
    assert term_key("Work-Life Balances") == term_key("work life balance")
    assert term_key("Business") == "business"  # "ss" is not a plural
    assert term_key("Analyses") != ""


def test_the_synonyms_file_refuses_a_term_under_two_ids(tmp_path):
    path = tmp_path / "synonyms.yaml"
    path.write_text("delegation:\n  - handing off\nleadership:\n  - Handing off\n")
    with pytest.raises(FrameworkError, match="'Handing off' is listed under both 'delegation'"):
        load_expertise_synonyms(path)
    path.write_text("Not An Id:\n  - x\n")
    with pytest.raises(FrameworkError, match="is not a competency or area id"):
        load_expertise_synonyms(path)


def test_every_synonym_in_the_shipped_file_names_something_in_the_framework(framework):
    ids = {area.id for area in framework.areas} | set(framework.competencies())
    synonyms = load_expertise_synonyms()
    assert len(synonyms) >= 40
    assert set(synonyms.values()) <= ids
    vocabulary = ExpertiseVocabulary(framework, synonyms)
    assert all(vocabulary.match(term) for term in synonyms)


# ---------------------------------------------------------------------------------------
# In a roster


def test_areas_expand_and_repeats_after_expansion_count_once(tmp_path):
    (mentor,) = mentors(tmp_path, "Delegation; Leadership; coaching; LEADERSHIP; Negotiation")
    assert mentor.expertise == [*LEADERSHIP, "negotiation"]
    assert mentor.tags == []


def test_every_area_at_once_is_still_a_valid_mentor(tmp_path, framework):
    every_area = "; ".join(area.name for area in framework.areas)
    (mentor,) = mentors(tmp_path, every_area)
    assert mentor.expertise == list(framework.competencies())
    assert len(mentor.expertise) > 12  # the old cap of 12 would have refused this row


def test_unknown_terms_become_tags_once_each_in_the_first_spelling(tmp_path):
    (mentor,) = mentors(tmp_path, "Kubernetes; negotiation; kubernetes; Grant  writing; n/a; -")
    assert (mentor.expertise, mentor.tags) == (["negotiation"], ["Kubernetes", "Grant writing"])


def test_a_mentor_whose_terms_all_match_nothing_is_imported_with_tags_only(tmp_path, framework):
    path = write_csv(
        tmp_path / "m.csv",
        [["name", "email", "expertise", "capacity"], ["Ana", "ana@example.org", "Kubernetes", "2"]],
    )
    result = read_mentors(path, framework)
    (mentor,) = result.records
    assert (mentor.expertise, mentor.tags, result.problems) == ([], ["Kubernetes"], [])
    assert result.warnings[1] == (
        "1 mentor (row 2) lists no competency of the framework, so the mentor ranks low for "
        "every participant: add one to the expertise column and import again to change that."
    )


def test_hostile_text_in_a_term_stays_inert_text(tmp_path, framework):
    (mentor,) = mentors(tmp_path, f'{HOSTILE}; =HYPERLINK("x")')
    assert mentor.tags == [HOSTILE, '=HYPERLINK("x")']
    path = write_csv(
        tmp_path / "c.csv",
        [
            ["name", "email", "expertise", "capacity"],
            ["Ana", "ana@example.org", "x\u202ey\x07", "1"],
        ],
    )
    result = read_mentors(path, framework)
    assert result.records[0].tags == []  # a control character cannot be kept in a tag
    assert "x\ufffdy\ufffd" in result.warnings[-1] and "\u202e" not in result.warnings[-1]


def test_a_tags_column_is_read_and_joined_by_the_unknown_terms(tmp_path, framework):
    path = write_csv(
        tmp_path / "m.csv",
        [
            ["name", "email", "expertise", "capacity", "Other topics"],
            ["Ana", "ana@example.org", "Kubernetes; Delegation", "1", "Rust; kubernetes"],
        ],
    )
    (mentor,) = read_mentors(path, framework).records
    assert mentor.tags == ["Kubernetes", "Rust"]


def test_an_over_long_term_or_too_many_tags_are_left_out_with_a_warning(tmp_path, framework):
    terms = "; ".join([f"Topic {i}" for i in range(MAX_TAGS + 2)] + ["y" * 61])
    path = write_csv(
        tmp_path / "m.csv",
        [["name", "email", "expertise", "capacity"], ["Ana", "ana@example.org", terms, "1"]],
    )
    result = read_mentors(path, framework)
    (mentor,) = result.records
    assert mentor.tags == [f"Topic {i}" for i in range(MAX_TAGS)]
    assert f"Row 2: only the first {MAX_TAGS} tags were kept; 'Topic 20'" in result.warnings[-1]


def test_the_warning_lists_each_unknown_term_with_its_rows_shortened_when_many(tmp_path):
    rows = [["name", "email", "expertise", "capacity"]]
    rows += [[f"M{i}", f"m{i}@example.org", "Kubernetes; Delegation", "1"] for i in range(8)]
    rows += [[f"N{i}", f"n{i}@example.org", f"Topic {i}", "1"] for i in range(14)]
    result = read_mentors(write_csv(tmp_path / "m.csv", rows), load_framework())
    first = result.warnings[0]
    assert first.startswith(
        "15 expertise terms match nothing in the framework and were kept as tags on the "
        "mentor: 'Kubernetes' (rows 2, 3, 4, 5, 6 and 3 more), 'Topic 0' (row 10), "
    )
    assert "'Topic 10' (row 20), and 3 more. Accepted names" in first


# ---------------------------------------------------------------------------------------
# Ranking and matching cope with a mentor without competencies


def test_a_mentor_with_tags_only_ranks_below_one_who_covers_a_growth_area(framework):
    tags_only = MentorProfile(
        name="Tags Only",
        email="t@example.org",
        capacity=2,
        tags=["Kubernetes"],
        formats=[MeetingFormat.VIDEO],
    )
    covering = MentorProfile(
        name="Covers", email="c@example.org", capacity=2, expertise=["negotiation"]
    )
    assessment = SelfAssessment(growth_areas=["negotiation"])
    ranked = rank_mentors(assessment, [tags_only, covering], framework)
    assert [f.mentor.name for f in ranked] == ["Covers", "Tags Only"]
    assert "covers none of your growth areas" in ranked[1].summary
    scores = score_matrix({"p": assessment, "q": assessment}, [tags_only, covering], framework)
    assert scores.loc["p", "t@example.org"] < scores.loc["p", "c@example.org"]
    places = pd.Series(1, index=scores.columns)
    best = assign(scores, places)
    assert list(best["mentor"]).count("c@example.org") == 1
    everyone = assign(scores, places, maximize="participation")
    assert sorted(everyone["mentor"]) == ["c@example.org", "t@example.org"]


# ---------------------------------------------------------------------------------------
# Stored: old mentors without tags load, and backups keep tags


def test_a_stored_mentor_without_tags_loads_and_a_backup_round_trips_tags(store, tmp_path):
    line = next(
        json.loads(text)
        for text in FORMAT_1_BACKUP.read_text(encoding="utf-8").splitlines()
        if '"type":"mentor"' in text
    )
    assert "tags" not in line["body"]
    assert MentorProfile.model_validate(line["body"]).tags == []

    code = create_workshop(store, "Tagged").workshop.code
    tagged = MentorProfile(
        name="Ana", email="ana@example.org", capacity=1, tags=["Kubernetes", HOSTILE]
    )
    store.import_roster(code, mentors=[tagged])
    path = tmp_path / "backup.jsonl"
    backup_workshop(store, code, path)
    target = open_store(f"sqlite:///{tmp_path / 'target.db'}")
    try:
        restore_backup(target, path)
        assert target.mentors(code) == [tagged]
    finally:
        target.close()


# ---------------------------------------------------------------------------------------
# The 40-mentor spreadsheet export

EXPECTED_PROBLEMS = [
    (10, "Full name", "must not be empty"),
    (15, "E-mail address", "not a valid email address"),
    (20, "Max. mentees", "must be a whole number from 0 to 20"),
    (30, "E-mail address", "duplicate email: also on row 29"),
]
EXPECTED_TAGS = {
    "Lukas Brenner": ["Kubernetes"],
    "Hannah Lindqvist": ["Grant writing"],
    "Mei-Ling Chow": ["UX research"],
    "Tomás Ó Briain": ["public policy"],
    "Fatima Zahra Benali": ["Grant Writing"],
    "Marek Nowak": ["kubernetes"],
    "Arjun Mehta": ["Fundraising", "Kubernetes"],
    "Zanele Dlamini": ["Fundraising", "Grant writing"],
}


def export_as_xlsx(tmp_path: Path) -> Path:
    with EXPORT.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    path = tmp_path / "mentors.xlsx"
    workbook.save(path)
    return path


def check_export_import(result) -> None:
    assert (result.rows_read, len(result.records)) == (40, 36)
    assert [(p.row, p.column, p.reason.split(" (")[0]) for p in result.problems] == (
        EXPECTED_PROBLEMS
    )
    tags = {m.name: m.tags for m in result.records if m.tags}
    assert tags == EXPECTED_TAGS
    by_name = {m.name: m for m in result.records}
    networking = ["building-relationships", "professional-visibility", "finding-sponsors"]
    networking.append("community-involvement")
    assert by_name["Amara Nwosu"].expertise == [*LEADERSHIP, *networking]
    assert by_name["Sebastián Cortés"].expertise == ["negotiation", "stakeholder-management"]
    assert by_name["Sebastián Cortés"].capacity == 2  # "up to 2"
    assert by_name["Lukas Brenner"].capacity == 3  # "3 mentees"
    assert by_name["Sebastián Cortés"].formats == [MeetingFormat.IN_PERSON, MeetingFormat.VIDEO]
    assert by_name["Jonas Weber"].years_experience is None  # "20+" left out, with a warning
    assert by_name["Valentina Greco"].time_zone is None  # "GMT+1" left out, with a warning
    warnings = result.warnings
    assert warnings[0].startswith("1 column was ignored: 'Timestamp'. Accepted columns: name,")
    assert warnings[1].startswith(
        "5 expertise terms match nothing in the framework and were kept as tags on the mentor: "
        "'Kubernetes' (rows 3, 17, 22), 'Grant writing' (rows 6, 14, 38), 'UX research' "
        "(row 8), 'public policy' (row 12), 'Fundraising' (rows 22, 38). Accepted names (an "
        "area means all its competencies): Domain and technical skills (area), Technical depth,"
    )
    assert "Leadership (area), Delegation," in warnings[1]
    assert warnings[2].startswith("2 mentors (rows 22, 38) list no competency of the framework")
    assert warnings[3].startswith("Row 33, column 'Years in industry' ('20+'): must be")
    assert warnings[4].startswith("Row 34, column 'Time-zone': 'GMT+1' is not a time zone")
    assert len(warnings) == 5


def test_a_40_mentor_spreadsheet_export_imports_its_good_rows_from_csv(framework):
    check_export_import(read_mentors(EXPORT, framework))


def test_the_same_export_saved_as_excel_imports_the_same(tmp_path, framework):
    from_excel = read_mentors(export_as_xlsx(tmp_path), framework)
    check_export_import(from_excel)
    assert from_excel.records == read_mentors(EXPORT, framework).records


def test_the_cli_imports_the_export_with_skip_invalid_and_prints_the_warnings_once(
    capsys, tmp_path
):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["--db", db, "init", "--name", "Spring cohort"]) == 0
    capsys.readouterr()

    status = main(["--db", db, "import", "mentors", str(EXPORT)])
    out, err = capsys.readouterr()
    assert status == 3 and "4 invalid rows; nothing was imported" in err
    assert "Accepted columns" in err  # the notes come even when nothing is imported

    status = main(["--db", db, "import", "mentors", str(EXPORT), "--skip-invalid"])
    out, err = capsys.readouterr()
    assert status == 0
    assert "Imported 36 mentors" in out and "36 added, 0 updated" in out
    assert "Skipped 4 invalid row(s):" in out
    for row, column, reason in EXPECTED_PROBLEMS:
        assert f"row {row}, column '{column}': {reason}" in out
    notes = [line for line in err.splitlines() if line.startswith("note: ")]
    assert len(notes) == 5
    assert notes[0].startswith("note: 1 column was ignored: 'Timestamp'.")
    assert err.count("Timestamp") == 1  # the ignored column is named once, not twice
    assert "'Kubernetes' (rows 3, 17, 22)" in notes[1] and "Accepted names" in notes[1]
    store = open_store(db)
    try:
        stored = {m.name: m.tags for m in store.mentors(store.workshops()[0].code) if m.tags}
    finally:
        store.close()
    assert stored == EXPECTED_TAGS


def test_an_exported_mentor_roster_with_tags_imports_again_as_it_was(capsys, tmp_path):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["--db", db, "init", "--name", "Spring cohort"]) == 0
    assert main(["--db", db, "import", "mentors", str(EXPORT), "--skip-invalid"]) == 0
    exported = tmp_path / "mentors-out.csv"
    assert main(["--db", db, "export", "mentors", "-o", str(exported)]) == 0
    capsys.readouterr()

    again = read_mentors(exported, load_framework())
    store = open_store(db)
    try:
        stored = store.mentors(store.workshops()[0].code)
    finally:
        store.close()
    assert again.records == stored
    assert again.problems == []
    (warning,) = again.warnings  # the tags-only mentors are still worth a look, nothing else
    assert warning.startswith("2 mentors (rows 5, 37) list no competency of the framework")
