"""Roster import keeps the good rows, names every bad cell, and never crashes on odd files."""

import csv
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentorkit import rosters
from mentorkit.catalog import SAMPLE_MENTORS, SAMPLE_PARTICIPANTS
from mentorkit.errors import RosterError
from mentorkit.models import CareerStage, MeetingFormat, Participant
from mentorkit.rosters import (
    MENTOR_COLUMNS,
    PARTICIPANT_COLUMNS,
    RowProblem,
    read_mentors,
    read_participants,
    read_table,
    safe_cell,
    write_table,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rosters.md"
MENTOR_HEADER = "name,email,expertise,capacity"


def write(tmp_path: Path, text: str, name: str = "roster.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(tmp_path: Path, rows: list[list[object]], name: str = "roster.xlsx") -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row_number, values in enumerate(rows, start=1):
        for column_number, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(row=row_number, column=column_number, value=value)
    path = tmp_path / name
    workbook.save(path)
    return path


def reasons(result: rosters.RosterImport) -> list[tuple[int, str, str]]:
    return [(p.row, p.column, p.reason) for p in result.problems]


# ---------------------------------------------------------------------------------------
# The happy paths


def test_the_sample_rosters_load_without_problems(framework):
    mentors = read_mentors(SAMPLE_MENTORS, framework)
    participants = read_participants(SAMPLE_PARTICIPANTS)

    assert (len(mentors.records), mentors.problems, mentors.ignored_columns) == (40, [], [])
    assert (len(participants.records), participants.problems) == (30, [])
    assert mentors.rows_read == 40 and participants.rows_read == 30
    known = framework.competencies()
    assert all(set(m.expertise) <= set(known) for m in mentors.records)
    assert mentors.records[0].expertise[:2] == ["technical-depth", "delegation"]
    assert mentors.records[0].name == "Zoë Okonkwo-Hart"
    assert "\n" in mentors.records[2].bio  # a quoted bio with a line break


def test_headers_match_by_alias_ignoring_case_spaces_and_punctuation(tmp_path, framework):
    path = write(
        tmp_path,
        "Full name, EMAIL ADDRESS ,Areas of expertise,Max mentees,Experience (years),"
        "Meeting-Format,time zone,ORGANISATION\n"
        "Ana Silva,Ana@Example.org,Negotiation,2,7,Phone call,Europe/Lisbon,Acme\n",
    )
    result = read_mentors(path, framework)

    assert result.problems == []
    mentor = result.records[0]
    assert (mentor.name, mentor.email, mentor.expertise) == (
        "Ana Silva",
        "ana@example.org",
        ["negotiation"],
    )
    assert (mentor.capacity, mentor.years_experience, mentor.organization) == (2, 7, "Acme")
    assert mentor.formats == [MeetingFormat.PHONE]
    assert mentor.time_zone == "Europe/Lisbon"


def test_participant_headers_accept_common_spellings(tmp_path):
    path = write(tmp_path, "Mentee name;E-mail;Dept;Career-Level\nBo;bo@example.org;Sales;mid\n")
    result = read_participants(path)

    assert result.problems == []
    person = result.records[0]
    assert (person.department, person.career_stage) == ("Sales", CareerStage.MID)


def test_semicolon_delimiter_and_byte_order_mark(tmp_path):
    path = write(
        tmp_path,
        "name;email;department\nAmélie Durand;amelie@example.fr;R&D, Paris\n",
        encoding="utf-8-sig",
    )
    result = read_participants(path)

    assert result.problems == []
    assert result.records[0].name == "Amélie Durand"
    assert result.records[0].department == "R&D, Paris"


def test_tab_separated_file(tmp_path):
    path = write(tmp_path, "name\temail\nNoa Levi\tnoa@example.org\n", name="roster.tsv")

    assert [p.name for p in read_participants(path).records] == ["Noa Levi"]


def test_quoted_line_breaks_stay_in_one_row_and_rows_are_numbered_as_records(tmp_path, framework):
    path = write(
        tmp_path,
        f"{MENTOR_HEADER},bio\n"
        'Kim,kim@example.org,Delegation,2,"First line\nsecond line"\n'
        "Lee,lee@example.org,Delegation,lots,\n",
    )
    result = read_mentors(path, framework)

    assert result.records[0].bio == "First line\nsecond line"
    assert reasons(result) == [(3, "capacity", "must be a whole number from 0 to 20")]


def test_non_ascii_emoji_and_right_to_left_names_survive(tmp_path):
    names = ["Zoë Ødegård", "李小龍", "\u200fنور الهدى", "Ana 🌱", "Đặng Thị Thu"]
    body = "".join(f'"{name}",p{i}@example.org\n' for i, name in enumerate(names))
    result = read_participants(write(tmp_path, "name,email\n" + body))

    assert result.problems == []
    assert [p.name for p in result.records] == names


def test_blank_rows_are_skipped_but_keep_their_numbers(tmp_path):
    path = write(tmp_path, "name,email\n\nAna,ana@example.org\n,\n \nBo,not-an-email\n")
    result = read_participants(path)

    assert result.rows_read == 2
    assert [p.name for p in result.records] == ["Ana"]
    assert result.skipped_rows == [6]


def test_cells_are_read_as_written_not_as_numbers_or_dates(tmp_path):
    headers, rows = read_table(write(tmp_path, "name,department\n007,2024-01-02\n"))

    assert headers == ["name", "department"]
    assert rows == [(2, ["007", "2024-01-02"])]


def test_excel_cells_become_text_and_rows_keep_the_sheets_numbers(tmp_path, framework):
    path = write_xlsx(
        tmp_path,
        [
            [],
            ["Name", "Email", "Expertise", "Capacity", "YOE", "Bio", "Notes"],
            ["Ana", "ana@example.org", "Delegation", 3, 12.0, "Hi", datetime(2024, 5, 1, 9, 30)],
            [],
            ["Bo", "bo@example.org", "Negotiation", 2.0, None, True, date(2023, 1, 31)],
            ["Cy", "cy@example.org", "Negotiation", 2.5, 3, None, None],
        ],
    )
    headers, rows = read_table(path)
    result = read_mentors(path, framework)

    assert headers[0] == "Name"
    assert [number for number, _ in rows] == [3, 5, 6]
    assert rows[0][1][3:] == ["3", "12", "Hi", "2024-05-01"]
    assert rows[1][1][3:] == ["2", "", "yes", "2023-01-31"]
    assert [(m.name, m.capacity, m.years_experience) for m in result.records] == [
        ("Ana", 3, 12),
        ("Bo", 2, None),
    ]
    assert reasons(result) == [(6, "Capacity", "must be a whole number from 0 to 20")]
    assert result.ignored_columns == ["Notes"]


def test_list_cells_split_on_semicolons_commas_bars_and_line_breaks(tmp_path, framework):
    path = write(
        tmp_path,
        f"{MENTOR_HEADER},formats,languages\n"
        'Ana,ana@example.org,"public-speaking | Giving feedback\nDELEGATION",1,'
        '"In person, Video call; Chat",English;;Español\n',
    )
    mentor = read_mentors(path, framework).records[0]

    assert mentor.expertise == ["public-speaking", "giving-feedback", "delegation"]
    assert mentor.formats == [MeetingFormat.IN_PERSON, MeetingFormat.VIDEO, MeetingFormat.CHAT]
    assert mentor.languages == ["English", "Español"]


def test_optional_blank_cells_take_the_defaults(tmp_path, framework):
    path = write(
        tmp_path,
        f"{MENTOR_HEADER},years_experience,formats,time_zone,bio\n"
        "Ana,ana@example.org,Delegation,0,, ,,\n",
    )
    mentor = read_mentors(path, framework).records[0]

    assert (mentor.years_experience, mentor.formats, mentor.time_zone, mentor.bio) == (
        None,
        [],
        None,
        "",
    )
    assert mentor.capacity == 0


@pytest.mark.parametrize(
    "text",
    [
        "3",
        "3.0",
        " 3 ",
        "03",
        "+3",
        "three",
        "3 mentees",
        "Up to 3",
        "max. 3",
        "3 max",
        "at most 3",
    ],
)
def test_capacity_accepts_whole_numbers_written_loosely(tmp_path, framework, text):
    path = write(tmp_path, f'{MENTOR_HEADER}\nAna,ana@example.org,Delegation,"{text}"\n')

    assert read_mentors(path, framework).records[0].capacity == 3


@pytest.mark.parametrize(
    "text", ["lots", "2.5", "25", "-1", "1e1", "9" * 5000, "2-3", "3+", "up to", "twenty-one"]
)
def test_capacity_must_be_a_whole_number_in_range(tmp_path, framework, text):
    path = write(tmp_path, f"{MENTOR_HEADER}\nAna,ana@example.org,Delegation,{text}\n")
    result = read_mentors(path, framework)

    assert result.records == []
    assert reasons(result) == [(2, "capacity", "must be a whole number from 0 to 20")]


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("Mid-career", CareerStage.MID),
        ("mid career", CareerStage.MID),
        ("EARLY", CareerStage.EARLY),
        ("senior", CareerStage.SENIOR),
        ("Student", CareerStage.STUDENT),
        ("returner", CareerStage.RETURNING),
        ("career changer", CareerStage.CHANGER),
        ("", None),
    ],
)
def test_career_stage_accepts_its_names_and_short_forms(tmp_path, text, stage):
    path = write(tmp_path, f"name,email,career_stage\nAna,ana@example.org,{text}\n")

    assert read_participants(path).records[0].career_stage == stage


def test_an_unknown_career_stage_is_left_out_with_a_warning_listing_the_choices(tmp_path):
    path = write(tmp_path, "name,email,Stage\nAna,ana@example.org,Veteran\n")
    result = read_participants(path)

    assert result.problems == []
    assert [(p.name, p.career_stage) for p in result.records] == [("Ana", None)]
    (warning,) = result.warnings
    assert warning.startswith(
        "Row 2, column 'Stage': unknown career stage 'Veteran' (use one of: Student,"
    )
    assert warning.endswith("that value was left out and the rest of the row imported.")


# ---------------------------------------------------------------------------------------
# Bad rows


def test_one_bad_row_among_good_ones_is_named_by_row_column_and_reason(tmp_path):
    path = write(
        tmp_path,
        "Name,E-mail\nAna,ana@example.org\nBo,bo@example.org\n"
        "Cy,cy at example\nDi,di@example.org\n",
    )
    result = read_participants(path)

    assert [p.name for p in result.records] == ["Ana", "Bo", "Di"]
    (problem,) = result.problems
    assert (problem.row, problem.column) == (4, "E-mail")
    assert problem.reason.startswith("not a valid email address (")
    assert str(problem).startswith("row 4, column 'E-mail': not a valid email address")
    assert result.skipped_rows == [4]


def test_every_cell_that_makes_a_row_unusable_is_reported_in_column_order(tmp_path, framework):
    path = write(
        tmp_path,
        "name,email,expertise,capacity,years_experience,formats,time_zone,languages\n"
        ",nope,Publc speaking,25,200,carrier pigeon,Mars/Olympus,English;English\n",
    )
    result = read_mentors(path, framework)

    assert [(p.column, p.reason.split(" (")[0]) for p in result.problems] == [
        ("name", "must not be empty"),
        ("email", "not a valid email address"),
        ("capacity", "must be a whole number from 0 to 20"),
    ]
    assert result.skipped_rows == [2]
    assert result.warnings == []  # a row not imported has nothing kept to warn about


def test_bad_optional_cells_are_left_out_with_one_warning_each(tmp_path, framework):
    path = write(
        tmp_path,
        "name,email,expertise,capacity,YOE,formats,time_zone,languages,title\n"
        f"Ana,ana@example.org,Delegation,2,200,carrier pigeon; Zoom,Mars/Olympus,"
        f"English;english;Welsh,{'T' * 130}\n",
    )
    result = read_mentors(path, framework)

    assert result.problems == []
    (mentor,) = result.records
    assert (mentor.years_experience, mentor.formats, mentor.time_zone, mentor.title) == (
        None,
        [MeetingFormat.VIDEO],
        None,
        "",
    )
    assert mentor.languages == ["English", "Welsh"]  # a repeat in another case is dropped
    kept = "that value was left out and the rest of the row imported."
    assert result.warnings == [
        f"Row 2, column 'YOE' ('200'): must be a whole number from 0 to 70; {kept}",
        "Row 2, column 'formats': unknown meeting format 'carrier pigeon' (use in person, "
        f"video, phone or chat); {kept}",
        f"Row 2, column 'time_zone': 'Mars/Olympus' is not a time zone name such as "
        f"Europe/Berlin; {kept}",
        f"Row 2, column 'title': too long (at most 120 characters); {kept}",
    ]


def test_a_too_long_bio_or_language_is_left_out_and_the_rest_kept(tmp_path, framework):
    path = write(
        tmp_path,
        f"{MENTOR_HEADER},languages,bio\n"
        f'Ana,ana@example.org,Delegation,2,"English; {"x" * 41}; Welsh",{"b" * 1001}\n',
    )
    result = read_mentors(path, framework)

    (mentor,) = result.records
    assert (mentor.languages, mentor.bio) == (["English", "Welsh"], "")
    assert [w.split(":")[0] for w in result.warnings] == [
        "Row 2, column 'languages'",
        "Row 2, column 'bio'",
    ]
    assert "item 2 is too long (at most 40 characters)" in result.warnings[0]


def test_an_unknown_expertise_is_a_tag_and_the_warning_suggests_the_closest_name(
    tmp_path, framework
):
    path = write(tmp_path, f"{MENTOR_HEADER}\nAna,ana@example.org,Publc speaking; Delegation,1\n")
    result = read_mentors(path, framework)

    assert result.problems == []
    (mentor,) = result.records
    assert (mentor.expertise, mentor.tags) == (["delegation"], ["Publc speaking"])
    assert result.warnings[0].startswith(
        "1 expertise term matches nothing in the framework and was kept as a tag on the "
        "mentor: 'Publc speaking' (row 2; did you mean 'Public speaking'?). Accepted names"
    )


def test_a_duplicate_email_is_reported_on_the_later_row(tmp_path):
    path = write(
        tmp_path, "name,email\nAna,ana@example.org\nBo,bo@example.org\nAna2,ANA@Example.org\n"
    )
    result = read_participants(path)

    assert [p.name for p in result.records] == ["Ana", "Bo"]
    assert [str(p) for p in result.problems] == [
        "row 4, column 'email': duplicate email: also on row 2"
    ]


def test_a_time_zone_in_the_wrong_case_is_repaired(tmp_path, framework):
    path = write(
        tmp_path, f"{MENTOR_HEADER},Timezone\nAna,ana@example.org,Delegation,1,europe/berlin\n"
    )

    assert read_mentors(path, framework).records[0].time_zone == "Europe/Berlin"


def test_too_many_list_items_is_one_warning_not_one_per_item(tmp_path, framework):
    path = write(tmp_path, f'{MENTOR_HEADER}\nAna,ana@example.org,"{";".join(["x"] * 5000)}",1\n')
    result = read_mentors(path, framework)

    assert result.problems == []
    assert (result.records[0].expertise, result.records[0].tags) == ([], [])
    assert result.warnings[-1] == (
        "Row 2, column 'expertise' ('x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;x;…'): has too "
        "many items (5000, at most 40); that value was left out and the rest of the row "
        "imported."
    )


def test_control_characters_and_nul_bytes_in_cells_are_row_problems(tmp_path):
    path = write(tmp_path, "name,email\nA\x00na,ana@example.org\nBo\x07,bo@example.org\n")
    result = read_participants(path)

    assert result.records == []
    assert [(p.row, p.column) for p in result.problems] == [(2, "name"), (3, "name")]
    assert "control character (U+0000)" in result.problems[0].reason


def test_columns_that_match_nothing_are_listed_as_ignored(tmp_path):
    path = write(tmp_path, "name,email,Shoe size,,\nAna,ana@example.org,42,,stray\n")
    result = read_participants(path)

    assert len(result.records) == 1
    assert result.ignored_columns == ["Shoe size", "column E (no header)"]


def test_row_problem_without_a_column_reads_as_a_row():
    assert str(RowProblem(7, "", "is odd")) == "row 7: is odd"


# ---------------------------------------------------------------------------------------
# Problems with the file as a whole


def test_a_missing_file_folder_or_unknown_extension_is_a_roster_error(tmp_path):
    (tmp_path / "folder.csv").mkdir()
    (tmp_path / "roster.pdf").write_bytes(b"%PDF-1.7")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    cases = {
        tmp_path / "absent.csv": "absent.csv: no such file",
        tmp_path / "folder.csv": "folder.csv: is a folder",
        tmp_path / "roster.pdf": "is a .pdf file; mentorkit reads rosters saved as .csv",
        tmp_path / "old.xls": "save it as an Excel workbook (.xlsx)",
    }
    for path, message in cases.items():
        with pytest.raises(RosterError, match=re.escape(message)):
            read_participants(path)


def test_a_non_utf8_file_says_which_byte_and_how_to_save_it(tmp_path):
    path = write(tmp_path, "name,email\nRené,rene@example.org\n", encoding="cp1252")
    with pytest.raises(RosterError) as caught:
        read_participants(path)

    message = str(caught.value)
    assert "roster.csv: is not UTF-8 text (byte 0xE9 at position 14, line 2)" in message
    assert message.endswith("In Excel choose File › Save As › 'CSV UTF-8'.")


def test_an_excel_workbook_saved_with_a_csv_name_is_recognised(tmp_path):
    workbook = write_xlsx(tmp_path, [["name", "email"]])
    path = tmp_path / "roster.csv"
    path.write_bytes(workbook.read_bytes())

    with pytest.raises(RosterError, match=re.escape("rename it to end in .xlsx")):
        read_participants(path)


def test_utf16_with_a_byte_order_mark_is_read(tmp_path):
    path = write(tmp_path, "\ufeffname\temail\nRené\trene@example.org\n", "r.txt", "utf-16-le")

    assert read_participants(path).records[0].name == "René"


def test_utf16_without_a_byte_order_mark_is_refused(tmp_path):
    path = write(tmp_path, "name,email\nAna,ana@example.org\n", encoding="utf-16-le")

    with pytest.raises(RosterError, match="NUL bytes"):
        read_participants(path)


@pytest.mark.parametrize("text", ["", "\n\n", " , ,\n"])
def test_an_empty_file_is_a_roster_error(tmp_path, text):
    with pytest.raises(RosterError, match="is empty"):
        read_participants(write(tmp_path, text))


def test_a_header_without_rows_imports_nothing(tmp_path):
    result = read_participants(write(tmp_path, "name,email\n"))

    assert (result.records, result.problems, result.rows_read) == ([], [], 0)


def test_a_missing_required_column_lists_the_accepted_headers(tmp_path, framework):
    with pytest.raises(RosterError) as caught:
        read_mentors(write(tmp_path, "Name,Phone,Expertise,Capacity\n"), framework)

    assert str(caught.value).endswith(
        "roster.csv: the column 'email' is missing "
        "(accepted headers: Email, E-mail, Email address, E-mail address, Mail, Work email, "
        "Mentor email, Contact email)"
    )


def test_a_missing_required_column_names_the_header_that_may_have_meant_it(tmp_path, framework):
    with pytest.raises(RosterError) as caught:
        read_mentors(write(tmp_path, "Name,Email,Expertise,Mentees max\n"), framework)

    assert "the column 'capacity' is missing (is 'Mentees max' meant to be it? accepted " in (
        str(caught.value)
    )


def test_an_ignored_column_suggests_the_column_it_may_mean_and_lists_the_accepted_ones(
    tmp_path, framework
):
    path = write(
        tmp_path,
        f"{MENTOR_HEADER},Time zones,Shoe size\nAna,ana@example.org,Delegation,1,Europe/Oslo,42\n",
    )
    result = read_mentors(path, framework)

    assert result.ignored_columns == ["Time zones", "Shoe size"]
    assert result.warnings == [
        "2 columns were ignored: 'Time zones' (did you mean 'time_zone'?), 'Shoe size'. "
        "Accepted columns: name, email, title, organization, industry, expertise, capacity, "
        "years_experience, formats, time_zone, languages, bio, tags, hub_user (other spellings are "
        "listed in docs/rosters.md)."
    ]


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Max. mentees", "capacity"),
        ("Capacity", "capacity"),
        ("Languages spoken", "languages"),
        ("Spoken languages", "languages"),
        ("E-mail address", "email"),
        ("Mentor email", "email"),
        ("Areas of expertise", "expertise"),
        ("Expertise areas", "expertise"),
        ("Skills / expertise", "expertise"),
        ("Time-zone", "time_zone"),
        ("Years in industry", "years_experience"),
        ("Preferred meeting format", "formats"),
        ("LinkedIn bio", "bio"),
        ("Other topics", "tags"),
    ],
)
def test_headers_in_common_spreadsheet_spellings_are_recognised(tmp_path, framework, header, field):
    # A spelling read as `field` clashes with the column named `field` itself.
    headers = MENTOR_HEADER.split(",")
    if field not in headers:
        headers.append(field)
    path = write(tmp_path, ",".join([*headers, f'"{header}"']) + "\n")
    with pytest.raises(RosterError, match=re.escape(f"both mean '{field}'")):
        read_mentors(path, framework)


def test_a_participant_roster_does_not_read_a_mentor_email_column_as_the_persons_email(tmp_path):
    path = write(tmp_path, "name,Mentor email\nAda Quill,mentor@example.org\n")
    with pytest.raises(RosterError, match=re.escape("the column 'email' is missing")):
        read_participants(path)


@pytest.mark.parametrize(
    ("text", "formats"),
    [
        ("Zoom", [MeetingFormat.VIDEO]),
        ("Teams; video call; online", [MeetingFormat.VIDEO]),
        ("in-person, F2F", [MeetingFormat.IN_PERSON]),
        ("Slack | phone call", [MeetingFormat.CHAT, MeetingFormat.PHONE]),
        (
            "Zoom; Teams; in person; phone; chat; Skype",
            [MeetingFormat.VIDEO, MeetingFormat.IN_PERSON, MeetingFormat.PHONE, MeetingFormat.CHAT],
        ),
    ],
)
def test_meeting_formats_in_everyday_words(tmp_path, framework, text, formats):
    path = write(tmp_path, f'{MENTOR_HEADER},formats\nAna,ana@example.org,Delegation,1,"{text}"\n')
    result = read_mentors(path, framework)

    assert (result.records[0].formats, result.warnings) == (formats, [])


def test_two_headers_for_the_same_column_are_refused(tmp_path):
    with pytest.raises(RosterError, match="'Email' and 'E-mail' both mean 'email'"):
        read_participants(write(tmp_path, "Name,Email,E-mail\n"))


def test_a_corrupt_excel_file_is_a_roster_error(tmp_path):
    garbage = tmp_path / "garbage.xlsx"
    garbage.write_bytes(b"PK\x03\x04 this is not really a zip")
    not_a_workbook = tmp_path / "empty.xlsx"
    with zipfile.ZipFile(not_a_workbook, "w") as archive:
        archive.writestr("hello.txt", "hi")

    for path in (garbage, not_a_workbook):
        with pytest.raises(RosterError, match="is not a valid Excel workbook"):
            read_participants(path)


def test_too_many_rows_or_bytes_asks_to_split_the_file(tmp_path, monkeypatch):
    path = write(tmp_path, "name,email\n" + "".join(f"P{i},p{i}@example.org\n" for i in range(4)))
    monkeypatch.setattr(rosters, "MAX_ROWS", 3)
    with pytest.raises(RosterError, match="more than 3 data rows; split the file"):
        read_participants(path)

    monkeypatch.setattr(rosters, "MAX_ROWS", 10_000)
    monkeypatch.setattr(rosters, "MAX_BYTES", 20)
    with pytest.raises(RosterError, match="split the file"):
        read_participants(path)


def test_too_many_excel_rows_is_refused_too(tmp_path, monkeypatch):
    path = write_xlsx(tmp_path, [["name", "email"], *([f"P{i}", f"p{i}@x.org"] for i in range(4))])
    monkeypatch.setattr(rosters, "MAX_ROWS", 3)

    with pytest.raises(RosterError, match="more than 3 data rows"):
        read_participants(path)


def test_a_cell_over_the_csv_field_limit_is_a_roster_error(tmp_path):
    path = write(tmp_path, f'name,email\n"{"x" * 200_000}",a@example.org\n')

    with pytest.raises(RosterError, match="row 2 has a cell longer than 131,072 characters"):
        read_participants(path)


# ---------------------------------------------------------------------------------------
# Export


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Ana", "Ana"),
        ("a=b", "a=b"),
        ("", ""),
        (-2, -2),
        (None, None),
    ],
)
def test_safe_cell_neutralises_formulas_only(value, expected):
    assert safe_cell(value) == expected


HOSTILE = ['=HYPERLINK("http://evil","click")', "+1+1", "-2", "@SUM(1)", "\t=1"]


def test_csv_export_neutralises_formulas_and_keeps_accents(tmp_path):
    path = tmp_path / "out.csv"
    rows = [{"name": name, "email": f"p{i}@example.org"} for i, name in enumerate(HOSTILE)]
    write_table(
        [*rows, {"name": "Zoë Ødegård 李", "email": "z@example.org"}], ["name", "email"], path
    )

    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as file:
        table = list(csv.reader(file))
    assert table[0] == ["name", "email"]
    assert [row[0] for row in table[1:-1]] == ["'" + name for name in HOSTILE]
    assert table[-1][0] == "Zoë Ødegård 李"
    assert read_participants(path).records[-1].name == "Zoë Ødegård 李"


def test_excel_export_stores_formula_looking_text_as_text(tmp_path):
    path = tmp_path / "out.xlsx"
    rows = [{"name": name, "capacity": 2, "since": date(2024, 1, 2)} for name in HOSTILE]
    rows.append({"name": "Zoë 李 🌱", "capacity": None, "since": None, "expertise": ["a", "b"]})
    write_table(rows, ["name", "capacity", "since", "expertise"], path)

    sheet = openpyxl.load_workbook(path).worksheets[0]
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.data_type == "s" and cell.value.startswith("'") for cell in cells[:-1])
    assert [cell.value for cell in cells[:-1]] == ["'" + name for name in HOSTILE]
    assert cells[-1].value == "Zoë 李 🌱"
    assert sheet["B2"].value == 2 and sheet["B2"].data_type == "n"
    assert sheet.cell(row=len(rows) + 1, column=4).value == "a; b"


def test_excel_export_replaces_characters_excel_cannot_store(tmp_path):
    path = tmp_path / "out.xlsx"
    write_table([{"name": "\x01=cmd"}], ["name"], path)

    assert openpyxl.load_workbook(path).worksheets[0]["A2"].value == "\ufffd=cmd"


def test_export_refuses_other_extensions_and_overlong_excel_cells(tmp_path):
    with pytest.raises(RosterError, match=re.escape("choose a name ending in .csv or .xlsx")):
        write_table([], ["name"], tmp_path / "out.pdf")
    with pytest.raises(RosterError, match="more than the 32,767 an Excel cell can hold"):
        write_table([{"bio": "x" * 40_000}], ["bio"], tmp_path / "out.xlsx")
    with pytest.raises(RosterError, match="cannot be written"):
        write_table([], ["name"], tmp_path / "no-such-folder" / "out.csv")


# ---------------------------------------------------------------------------------------
# Columns and their documentation


@pytest.mark.parametrize("columns", [MENTOR_COLUMNS, PARTICIPANT_COLUMNS])
def test_no_header_spelling_means_two_columns(columns):
    owners: dict[str, str] = {}
    for column in columns:
        for spelling in (column.label, *column.aliases):
            key = rosters._norm(spelling)
            assert owners.setdefault(key, column.field) == column.field, spelling


def test_the_documentation_names_every_column_and_alias():
    text = DOCS.read_text(encoding="utf-8")
    for column in {*MENTOR_COLUMNS, *PARTICIPANT_COLUMNS}:
        assert f"`{column.label}`" in text
        for alias in column.aliases:
            assert alias in text, alias


# ---------------------------------------------------------------------------------------
# Hostile files: a RosterImport or a RosterError, never another exception

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
CELL = st.one_of(
    TEXT,
    st.sampled_from(['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "\u202eevil", "\x00", "🌱"]),
    st.builds(
        lambda char, n: char * n, st.characters(exclude_categories=["Cs"]), st.integers(0, 140_000)
    ),
)
HEADERS = st.one_of(
    st.just(["name", "email", "expertise", "capacity", "formats", "time_zone", "languages"]),
    st.just(["Full name", "E-mail", "Dept", "Career stage"]),
    st.lists(TEXT, max_size=6),
)


def read_any(path: Path, framework) -> None:
    for read in (read_participants, lambda p: read_mentors(p, framework)):
        try:
            result = read(path)
        except RosterError:
            continue
        assert isinstance(result, rosters.RosterImport)
        assert len(result.records) + len(result.skipped_rows) == result.rows_read


@pytest.mark.slow
@FUZZ
@given(headers=HEADERS, rows=st.lists(st.lists(CELL, max_size=8), max_size=6))
def test_arbitrary_text_cells_never_crash(tmp_path_factory, framework, headers, rows):
    path = tmp_path_factory.mktemp("fuzz") / "roster.csv"
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows([headers, *rows])
    read_any(path, framework)


@FUZZ
@given(
    prefix=st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"name,email\n", b"name;email\r\n"]),
    body=st.binary(max_size=400),
    suffix=st.sampled_from([".csv", ".tsv", ".xlsx"]),
)
def test_arbitrary_bytes_never_crash(tmp_path_factory, framework, prefix, body, suffix):
    path = tmp_path_factory.mktemp("fuzz") / f"roster{suffix}"
    path.write_bytes(prefix + body)
    read_any(path, framework)


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(st.lists(CELL, max_size=5), max_size=4))
def test_arbitrary_excel_cells_never_crash(tmp_path_factory, framework, rows):
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cleaned = [[ILLEGAL_CHARACTERS_RE.sub("", cell)[:32_000] for cell in row] for row in rows]
    path = write_xlsx(tmp_path_factory.mktemp("fuzz"), [["name", "email", "dept"], *cleaned])
    read_any(path, framework)


@FUZZ
@given(
    name=st.builds(str.__add__, st.sampled_from("=+-@\t"), TEXT),
    user=st.from_regex(r"[a-z]{1,12}", fullmatch=True),
    capacity=st.integers(0, 20),
)
def test_a_hostile_name_is_imported_unchanged_or_reported(
    tmp_path_factory, framework, name, user, capacity
):
    path = tmp_path_factory.mktemp("fuzz") / "mentors.csv"
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["name", "email", "expertise", "capacity"])
        writer.writerow([name, f"{user}@example.org", "Delegation", capacity])
    result = read_mentors(path, framework)

    if result.records:
        assert result.records[0].name == " ".join(name.split())
        assert result.records[0].capacity == capacity
    else:
        assert [(p.row, p.column) for p in result.problems] == [(2, "name")]


# ---------------------------------------------------------------------------------------
# Oversized files, and what a store holds after importing a hostile one


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".tsv"])
def test_a_50_mb_file_is_refused_before_it_is_read_stating_the_limit(tmp_path, suffix):
    path = tmp_path / f"huge{suffix}"
    with path.open("wb") as file:
        file.truncate(50 * 1024 * 1024)  # sparse: 50 MB of NUL bytes that cost no disk
    # Read, these bytes would be "not UTF-8" or "not a valid Excel workbook": the size
    # message shows that the file was refused by its size alone.
    with pytest.raises(RosterError) as raised:
        read_participants(path)
    assert str(raised.value) == (
        f"{path}: is larger than {rosters.MAX_BYTES // (1024 * 1024)} MB; split the file into "
        "smaller ones"
    )


def roster_csv(path: Path, rows: int, *, start: int = 0) -> Path:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["Full name", "Email", "Department", "Career stage"])
        for i in range(start, start + rows):
            writer.writerow([f"Person {i}", f"p{i}@example.org", f"Team {i % 7}", "Senior"])
    return path


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_10000_row_roster_imports_whole(tmp_path, store, suffix):
    from mentorkit.workshops import create_workshop, import_roster

    workshop = create_workshop(store, "Big cohort").workshop
    path = roster_csv(tmp_path / "people.csv", rosters.MAX_ROWS)
    if suffix == ".xlsx":
        with path.open(encoding="utf-8", newline="") as file:
            path = write_xlsx(tmp_path, list(csv.reader(file)))
    outcome = import_roster(store, workshop, "participants", path)
    assert outcome.read.problems == []
    assert outcome.change is not None and outcome.change.added == rosters.MAX_ROWS
    emails = {p.email for p in store.participants(workshop.code)}
    assert len(emails) == rosters.MAX_ROWS and "p9999@example.org" in emails


def test_one_row_over_the_limit_is_refused_naming_the_limit(tmp_path):
    path = roster_csv(tmp_path / "people.csv", rosters.MAX_ROWS + 1)
    with pytest.raises(RosterError, match="more than 10,000 data rows; split the file"):
        read_participants(path)


ROSTER_CELL = st.one_of(
    TEXT,
    st.sampled_from(["Ada", "ada@example.org", "bo@example.org", "Senior", "", " ", "\ud800x"]),
)


@pytest.mark.slow
@FUZZ
@given(
    rows=st.lists(st.lists(ROSTER_CELL, min_size=0, max_size=5), max_size=6),
    skip_invalid=st.booleans(),
)
def test_importing_any_rows_adds_all_valid_rows_or_nothing(
    tmp_path_factory, framework, rows, skip_invalid
):
    from mentorkit.store import open_store
    from mentorkit.workshops import create_workshop, import_roster

    folder = tmp_path_factory.mktemp("import")
    path = folder / "people.csv"
    headers = ["name", "email", "department", "career stage"]
    with path.open("w", encoding="utf-8", errors="surrogatepass", newline="") as file:
        csv.writer(file).writerows([headers, *rows])
    with open_store(f"sqlite:///{folder / 'import.db'}") as store:
        workshop = create_workshop(store, "W").workshop
        store.import_roster(workshop.code, participants=[Participant(name="Kept")])
        before = store.participants(workshop.code)
        try:
            outcome = import_roster(
                store, workshop, "participants", path, skip_invalid=skip_invalid
            )
        except RosterError as exc:
            assert str(exc).startswith(str(path))
            assert store.participants(workshop.code) == before
            return
        after = store.participants(workshop.code)
        read = outcome.read
        for problem in read.problems:
            assert 2 <= problem.row <= len(rows) + 1
            assert problem.column in headers or problem.column == ""
            assert str(problem).startswith(f"row {problem.row}")
        if outcome.change is None:
            assert after == before  # nothing half-imported
            assert read.problems or not read.records
        else:
            assert skip_invalid or not read.problems
            stored = {p.email: p for p in after}
            assert len(after) == len(before) + outcome.change.added
            for record in read.records:
                assert stored[record.email].name == record.name


# ---------------------------------------------------------------------------------------
# The hub user column: kept beside the participant, checked, imported into the store


def test_the_hub_user_column_is_read_beside_the_participants_details(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(
        "name,email,hub_user\n"
        "Ada Quill,Ada@Example.org,aquill\n"
        "Bo Strand,bo@example.org,\n"
        "Cy Moor,cy@example.org,two words\n"
        "Di Vale,di@example.org,aquill\n",
        encoding="utf-8",
    )
    read = rosters.read_participants(path)
    assert [p.name for p in read.records] == ["Ada Quill", "Bo Strand"]
    assert read.hub_users == {"ada@example.org": "aquill"}
    assert [str(problem) for problem in read.problems] == [
        "row 4, column 'hub_user': must be one hub user name, without spaces",
        "row 5, column 'hub_user': duplicate hub user: also on row 2",
    ]


def test_importing_a_roster_assigns_hub_users_and_a_blank_cell_keeps_the_stored_one(
    store, tmp_path
):
    from mentorkit.workshops import create_workshop, import_roster

    workshop = create_workshop(store, "Hub roster").workshop
    path = tmp_path / "people.csv"
    path.write_text("name,email,hub user\nAda Quill,ada@example.org,aquill\n", encoding="utf-8")
    import_roster(store, workshop, "participants", path)
    ada = store.participant_by_hub_user(workshop.code, "aquill")
    assert ada is not None and ada.email == "ada@example.org"
    path.write_text("name,email,hub user\nAda Quill,ada@example.org,\n", encoding="utf-8")
    outcome = import_roster(store, workshop, "participants", path)
    assert outcome.change is not None and outcome.change.updated == 0
    assert store.participant_by_hub_user(workshop.code, "aquill") == ada


def test_a_mentor_roster_assigns_hub_users_checked_as_the_participants_are(store, tmp_path):
    """On a hub, the mentor roster's hub_user column signs each mentor in to the mentor's
    page; a bad or repeated name is named with its row, and nothing is imported."""
    from mentorkit.workshops import create_workshop, import_roster

    workshop = create_workshop(store, "Hub mentors").workshop
    path = tmp_path / "mentors.csv"
    path.write_text(
        "name,email,expertise,capacity,JupyterHub user\n"
        "Maya Okafor,Maya@Example.org,Public speaking,2,mokafor\n"
        "Noah Berg,noah@example.org,Public speaking,2,\n"
        "Lin Wu,lin@example.org,Public speaking,1,mokafor\n",
        encoding="utf-8",
    )
    refused = import_roster(store, workshop, "mentors", path)
    assert refused.change is None and store.mentors(workshop.code) == []
    assert [str(problem) for problem in refused.read.problems] == [
        "row 4, column 'JupyterHub user': duplicate hub user: also on row 2"
    ]
    path.write_text(
        "name,email,expertise,capacity,JupyterHub user\n"
        "Maya Okafor,Maya@Example.org,Public speaking,2,mokafor\n"
        "Noah Berg,noah@example.org,Public speaking,2,\n",
        encoding="utf-8",
    )
    outcome = import_roster(store, workshop, "mentors", path)
    assert outcome.change is not None and outcome.change.added == 2
    maya = store.mentor_by_hub_user(workshop.code, "mokafor")
    assert maya is not None and maya.email == "maya@example.org"
    assert store.mentor_by_hub_user(workshop.code, "") is None
