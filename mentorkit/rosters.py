"""Mentor and participant rosters: import from CSV or Excel, export without formula surprises.

A roster is a spreadsheet a facilitator was sent by someone else, so every cell is untrusted
text. Reading never stops at the first bad row. Only what makes a row unusable (no name, no
valid email, a repeated email, a mentor's capacity that is not a number from 0 to 20; the
columns with `Column.rejects`) keeps it out, as one `RowProblem` per broken cell, named by
the row number a spreadsheet shows and the header as written in the file. Any other bad
value is left out of its row, which is imported, and said in `RosterImport.warnings`; so
are the ignored columns and the mentors' expertise terms that match nothing in the
framework (kept as tags; see `mentorkit.expertise`). Only problems with the file as a whole
(missing, not UTF-8, no header, a required column missing, too big) raise `RosterError`.
Apart from reading the file (and the synonyms file), everything here is pure.

Exports pass every cell through `safe_cell`, so a name such as ``=HYPERLINK(...)`` is shown
as text by Excel or LibreOffice instead of being run as a formula.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any, Generic, TypeVar
from zoneinfo import available_timezones

from pydantic import BaseModel, TypeAdapter, ValidationError

from mentorkit.errors import RosterError
from mentorkit.expertise import ExpertiseVocabulary, is_blank_term
from mentorkit.models import (
    MAX_TAGS,
    TAG_LENGTH,
    CareerStage,
    Framework,
    MeetingFormat,
    MentorProfile,
    Participant,
    Tag,
    describe_error,
)
from mentorkit.smart import SMALL_NUMBERS

#: At most this many non-blank data rows per file; a workshop roster is far smaller.
MAX_ROWS = 10_000
#: Files larger than this are refused before they are read.
MAX_BYTES = 20 * 1024 * 1024
#: An .xlsx is a zip archive; refuse one that unpacks to more than this (a "zip bomb").
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
#: The longest cell accepted, the csv module's default field limit; applied to Excel too.
MAX_CELL_CHARS = 131_072
#: The longest text an Excel cell can hold; longer cells make Excel "repair" the file.
EXCEL_MAX_CELL_CHARS = 32_767

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
_DELIMITERS = (",", ";", "\t")
#: What starts a formula in Excel, LibreOffice or Google Sheets: = + - @, and tab or carriage
#: return (which some of them skip before looking). The full-width forms (＝ ＋ － ＠) are
#: included because spreadsheets in East Asian locales turn typed full-width characters
#: into their ASCII forms; a leading apostrophe costs a cell that is text anyway nothing.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_EXCEL_MAX_ROW = 1_048_576
#: Characters that reorder the text around them; quoted in a message they could disguise it.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

T = TypeVar("T", bound=BaseModel)

#: Headers, and the non-blank data rows as (row number, cells).
Table = tuple[list[str], list[tuple[int, list[str]]]]


# ---------------------------------------------------------------------------------------
# Columns


@dataclass(frozen=True)
class Column:
    """One column a roster may have, with the header spellings accepted for it."""

    field: str
    label: str
    required: bool
    aliases: tuple[str, ...]
    description: str
    #: Whether a bad cell makes the row unusable (it is then reported in `problems` and
    #: not imported); otherwise the bad value is left out and the row imported with a
    #: warning.
    rejects: bool = False


_NAME = Column(
    "name",
    "name",
    True,
    ("Full name", "Name", "Mentor name", "Participant name", "Mentee name", "Your name"),
    "The person's name as it should appear on worksheets (at most 120 characters).",
    rejects=True,
)
_EMAIL_ALIASES = ("Email", "E-mail", "Email address", "E-mail address", "Mail", "Work email")
_EMAIL_DESCRIPTION = (
    "Email address; it identifies the person, so each address may appear only once."
)
_MENTOR_EMAIL = Column(
    "email",
    "email",
    True,
    (*_EMAIL_ALIASES, "Mentor email", "Contact email"),
    _EMAIL_DESCRIPTION,
    rejects=True,
)
_PARTICIPANT_EMAIL = Column(
    "email",
    "email",
    True,
    (*_EMAIL_ALIASES, "Participant email", "Mentee email", "Contact email"),
    _EMAIL_DESCRIPTION,
    rejects=True,
)

#: The column kept beside a person's details rather than in them: the hub user name that
#: signs them in on a JupyterHub (see mentorkit.identity.hub_sign_in, mentor_hub_sign_in).
HUB_USER = "hub_user"
HUB_USER_MAX_LENGTH = 100


def _hub_user_column(person: str) -> Column:
    return Column(
        HUB_USER,
        HUB_USER,
        False,
        ("Hub user", "Hub username", "JupyterHub user", "JupyterHub username"),
        f"On a JupyterHub: the exact hub user name that signs this {person} in (at most "
        "100 characters, no spaces); each name may appear only once.",
    )


MENTOR_COLUMNS: tuple[Column, ...] = (
    _NAME,
    _MENTOR_EMAIL,
    Column(
        "title",
        "title",
        False,
        ("Title", "Job title", "Role", "Position", "Current role", "Job role"),
        "Job title (at most 120 characters).",
    ),
    Column(
        "organization",
        "organization",
        False,
        ("Organization", "Organisation", "Company", "Employer", "Current employer", "Org"),
        "Employer or organisation (at most 120 characters).",
    ),
    Column(
        "industry",
        "industry",
        False,
        ("Industry", "Sector", "Industry sector"),
        "Industry or sector (at most 80 characters).",
    ),
    Column(
        "expertise",
        "expertise",
        True,
        (
            "Expertise",
            "Skills",
            "Areas of expertise",
            "Expertise areas",
            "Skills / expertise",
            "Skills and expertise",
            "Competencies",
            "Topics",
            "Mentoring topics",
            "Can help with",
        ),
        "Competencies or areas of the workshop's framework, by name, id or a common "
        "synonym, separated by semicolons; other terms are kept as tags.",
    ),
    Column(
        "capacity",
        "capacity",
        True,
        (
            "Capacity",
            "Max mentees",
            "Max. mentees",
            "Maximum mentees",
            "Max number of mentees",
            "Number of mentees",
            "Mentee capacity",
            "Mentee slots",
            "Slots",
            "Places",
        ),
        "How many mentees the mentor can take: a whole number from 0 to 20.",
        rejects=True,
    ),
    Column(
        "years_experience",
        "years_experience",
        False,
        (
            "Years experience",
            "Years of experience",
            "Years of professional experience",
            "Experience (years)",
            "Years in industry",
            "Years in the industry",
            "YOE",
        ),
        "Years of professional experience: a whole number from 0 to 70.",
    ),
    Column(
        "formats",
        "formats",
        False,
        (
            "Formats",
            "Meeting formats",
            "Format",
            "Meeting format",
            "Preferred meeting format",
            "Preferred meeting formats",
            "Meeting preference",
            "Mentoring format",
        ),
        "How the mentor likes to meet: in person, video, phone and/or chat.",
    ),
    Column(
        "time_zone",
        "time_zone",
        False,
        ("Time zone", "Timezone", "TZ", "Local time zone"),
        "A time zone name such as Europe/Berlin or America/New_York.",
    ),
    Column(
        "languages",
        "languages",
        False,
        (
            "Languages",
            "Language",
            "Spoken languages",
            "Languages spoken",
            "Mentoring languages",
        ),
        "Up to 10 languages the mentor can mentor in, separated by semicolons.",
    ),
    Column(
        "bio",
        "bio",
        False,
        (
            "Bio",
            "Biography",
            "About",
            "About me",
            "Short bio",
            "LinkedIn bio",
            "LinkedIn summary",
            "Introduction",
        ),
        "A short introduction (at most 1000 characters; line breaks are kept).",
    ),
    Column(
        "tags",
        "tags",
        False,
        ("Tags", "Other topics", "Keywords", "Other expertise"),
        f"Other topics in the mentor's own words, separated by semicolons (at most "
        f"{MAX_TAGS}, each at most {TAG_LENGTH} characters).",
    ),
    _hub_user_column("mentor"),
)

PARTICIPANT_COLUMNS: tuple[Column, ...] = (
    _NAME,
    _PARTICIPANT_EMAIL,
    Column(
        "department",
        "department",
        False,
        ("Department", "Dept", "Team", "Unit"),
        "Department or team (at most 120 characters).",
    ),
    Column(
        "career_stage",
        "career_stage",
        False,
        ("Career stage", "Stage", "Level", "Career level"),
        "One of: Student, Early career, Mid-career, Senior, Career changer, Returning to work.",
    ),
    _hub_user_column("participant"),
)


# ---------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class RowProblem:
    """Why one cell (or, with `column` empty, one whole row) of a roster was not imported."""

    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        if self.column:
            return f"row {self.row}, column '{self.column}': {self.reason}"
        return f"row {self.row}: {self.reason}"


@dataclass(frozen=True)
class RosterImport(Generic[T]):
    """What a roster file held: the valid rows as models, and why the others were skipped."""

    records: list[T]
    problems: list[RowProblem]
    ignored_columns: list[str]
    rows_read: int
    #: The hub user names of the roster's people by email (lowercase), from the `hub_user`
    #: column.
    hub_users: dict[str, str] = field(default_factory=dict)
    #: What was imported but deserves a look, one sentence each (e.g. expertise terms that
    #: match nothing in the framework and were kept as tags); shown by the CLI and the apps.
    warnings: list[str] = field(default_factory=list)

    @property
    def skipped_rows(self) -> list[int]:
        """The row numbers that were not imported, in file order."""
        return sorted({problem.row for problem in self.problems})


# ---------------------------------------------------------------------------------------
# Small text helpers


def _norm(text: str) -> str:
    """`text` reduced for comparison: case folded, letters and digits only."""
    return "".join(char for char in text.casefold() if char.isalnum())


def _show(text: str, limit: int = 60) -> str:
    """`text` safe to quote in a message: invisible characters replaced, long text cut."""
    shown = "".join(
        "\ufffd" if unicodedata.category(char) in {"Cc", "Cs"} or char in _BIDI_CONTROLS else char
        for char in text[:limit]
    )
    return shown + "…" if len(text) > limit else shown


def _split_list(text: str) -> list[str]:
    """The items of a list cell: split on ; , | or line breaks, blanks dropped."""
    return [item.strip() for item in re.split(r"[;,|\r\n]+", text) if item.strip()]


# ---------------------------------------------------------------------------------------
# Reading a file into rows of text


def _checked_path(source: Path | str) -> Path:
    """`source` as a Path to a readable roster file, or `RosterError` saying why not."""
    path = Path(source)
    try:
        if not path.exists():
            raise RosterError(f"{path}: no such file")
        if path.is_dir():
            raise RosterError(f"{path}: is a folder, not a roster file")
        if not path.is_file():
            raise RosterError(f"{path}: is not a regular file")
        size = path.stat().st_size
    except (OSError, ValueError) as exc:
        raise RosterError(f"{path}: cannot be read ({_os_reason(exc)})") from None
    suffix = path.suffix.lower()
    if suffix in {".xls", ".ods", ".numbers"}:
        raise RosterError(
            f"{path}: is a {suffix} file, which mentorkit cannot read; save it as an Excel "
            "workbook (.xlsx) or as 'CSV UTF-8' and import that file"
        )
    if suffix not in CSV_SUFFIXES + EXCEL_SUFFIXES:
        kind = f"a {suffix} file" if suffix else "a file without an extension"
        raise RosterError(
            f"{path}: is {kind}; mentorkit reads rosters saved as .csv, .txt, .tsv, .xlsx or .xlsm"
        )
    if size > MAX_BYTES:
        raise RosterError(
            f"{path}: is larger than {MAX_BYTES // (1024 * 1024)} MB; split the file into "
            "smaller ones"
        )
    return path


def _os_reason(exc: BaseException) -> str:
    """The operating system's short reason ('Permission denied') for `exc`."""
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def _collect(path: Path, records: Iterable[tuple[int, list[str]]]) -> Table:
    """Header and non-blank data rows from numbered `records`; file-level limits enforced."""
    headers: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    for number, cells in records:
        for cell in cells:
            if len(cell) > MAX_CELL_CHARS:
                raise RosterError(
                    f"{path}: row {number} has a cell longer than {MAX_CELL_CHARS:,} "
                    "characters; is this the right file?"
                )
        if not any(cell.strip() for cell in cells):
            continue  # entirely blank: skipped, but its number is used up
        if headers is None:
            headers = [cell.strip() for cell in cells]
            continue
        if len(rows) >= MAX_ROWS:
            raise RosterError(
                f"{path}: has more than {MAX_ROWS:,} data rows; split the file into "
                f"files of at most {MAX_ROWS:,} rows"
            )
        rows.append((number, cells + [""] * (len(headers) - len(cells))))
    if headers is None:
        raise RosterError(f"{path}: is empty; the first row should hold the column headers")
    return headers, rows


def _decode(path: Path, data: bytes) -> str:
    """The text of a CSV file: UTF-8 with or without BOM, or UTF-16 with a BOM."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode Text (*.txt)" export: tab-separated UTF-16 with a BOM.
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise RosterError(
                f"{path}: starts like UTF-16 text but cannot be decoded. "
                "In Excel choose File › Save As › 'CSV UTF-8'."
            ) from None
    if data.startswith(b"PK\x03\x04"):
        raise RosterError(
            f"{path}: is an Excel workbook or another zip archive, not CSV text; if it is an "
            "Excel workbook, rename it to end in .xlsx"
        )
    offset = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        text = data[offset:].decode("utf-8")
    except UnicodeDecodeError as exc:
        position = exc.start + offset
        line = data.count(b"\n", 0, position) + 1
        raise RosterError(
            f"{path}: is not UTF-8 text (byte 0x{data[position]:02X} at position {position}, "
            f"line {line}). In Excel choose File › Save As › 'CSV UTF-8'."
        ) from None
    return text


def _detect_delimiter(text: str, default: str) -> str:
    """The most frequent of comma, semicolon and tab outside quotes on the header line."""
    counts = dict.fromkeys(_DELIMITERS, 0)
    in_quotes = started = False
    for char in text[:1_000_000]:
        if char == '"':
            in_quotes = not in_quotes
        elif not in_quotes:
            if char in "\r\n":
                if started:
                    break
                continue
            if char in counts:
                counts[char] += 1
            if not char.isspace() or char == "\t":
                started = True
    best = max(_DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else default


def _read_csv(path: Path) -> Table:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RosterError(f"{path}: cannot be read ({_os_reason(exc)})") from None
    text = _decode(path, data)
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    if "\x00" in first_line:
        raise RosterError(
            f"{path}: its header row contains NUL bytes, so it is probably not UTF-8 text. "
            "In Excel choose File › Save As › 'CSV UTF-8'."
        )
    default = "\t" if path.suffix.lower() == ".tsv" else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_detect_delimiter(text, default))
    number = 0

    def records() -> Iterable[tuple[int, list[str]]]:
        nonlocal number
        for cells in reader:
            number += 1
            yield number, cells

    try:
        return _collect(path, records())
    except csv.Error as exc:
        if "field limit" in str(exc):
            raise RosterError(
                f"{path}: row {number + 1} has a cell longer than {MAX_CELL_CHARS:,} "
                "characters; is this the right file?"
            ) from None
        raise RosterError(
            f"{path}: row {number + 1} cannot be read as CSV ({_show(str(exc), 120)})"
        ) from None


def _cell_text(value: object) -> str:
    """An Excel cell value as the text a person sees in it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _read_excel(path: Path) -> Table:
    not_excel = (
        f"{path}: is not a valid Excel workbook ({{reason}}); open it in Excel and save it "
        "again as an Excel workbook (.xlsx)"
    )
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except OSError as exc:
        raise RosterError(f"{path}: cannot be read ({_os_reason(exc)})") from None
    except Exception as exc:  # zipfile raises several kinds for a damaged archive
        reason = _show(str(exc) or type(exc).__name__, 120)
        raise RosterError(not_excel.format(reason=reason)) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise RosterError(
            f"{path}: unpacks to more than {MAX_UNPACKED_BYTES // (1024 * 1024)} MB; "
            "split the file into smaller ones"
        )
    from openpyxl import load_workbook  # imported when a workbook is read, not with the app

    workbook = None
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
        if not workbook.worksheets:
            raise RosterError(f"{path}: has no worksheet")
        sheet = workbook.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()  # the stored size is often wrong; read what is there

        def records() -> Iterable[tuple[int, list[str]]]:
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                if number > _EXCEL_MAX_ROW:
                    raise RosterError(not_excel.format(reason="too many rows"))
                yield number, [_cell_text(value) for value in values]

        return _collect(path, records())
    except RosterError:
        raise
    except Exception as exc:  # openpyxl, zipfile and the XML parser raise many kinds
        reason = _show(str(exc) or type(exc).__name__, 120)
        raise RosterError(not_excel.format(reason=reason)) from None
    finally:
        if workbook is not None:
            workbook.close()


def read_table(source: Path | str) -> Table:
    """The headers and non-blank data rows of a CSV or Excel file, every cell as text.

    Rows are `(row_number, cells)` with the number a spreadsheet shows (the header is
    usually row 1); blank rows are left out but keep their number. Data rows are padded
    with "" to the header's width. Raises `RosterError` for any problem with the file.
    """
    path = _checked_path(source)
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return _read_excel(path)
    return _read_csv(path)


# ---------------------------------------------------------------------------------------
# Turning cells into model fields

#: A cell converter: the cell's text to (value for the model, problems in plain words). A
#: value with problems is what could be kept (the good items of a list); None keeps nothing.
Converter = Callable[[str], tuple[object, list[str]]]

_FORMAT_WORDS: Mapping[str, MeetingFormat] = {
    **{_norm(value.value): value for value in MeetingFormat},
    **dict.fromkeys(
        ("facetoface", "f2f", "inperson", "onsite", "irl", "offline"),
        MeetingFormat.IN_PERSON,
    ),
    **dict.fromkeys(
        (
            "videocall",
            "videocalls",
            "video",
            "zoom",
            "teams",
            "msteams",
            "microsoftteams",
            "googlemeet",
            "skype",
            "webex",
            "online",
            "virtual",
            "remote",
        ),
        MeetingFormat.VIDEO,
    ),
    **dict.fromkeys(("phonecall", "phonecalls", "telephone", "phone"), MeetingFormat.PHONE),
    **dict.fromkeys(
        ("messaging", "instantmessaging", "textchat", "slack", "whatsapp", "signal"),
        MeetingFormat.CHAT,
    ),
}

_STAGE_WORDS: Mapping[str, CareerStage] = {
    **{_norm(value.value): value for value in CareerStage},
    **dict.fromkeys(
        ("student", "undergraduate", "postgraduate", "phdstudent"), CareerStage.STUDENT
    ),
    **dict.fromkeys(("early", "junior", "entrylevel", "earlycareer"), CareerStage.EARLY),
    **dict.fromkeys(("mid", "midlevel", "midcareer"), CareerStage.MID),
    **dict.fromkeys(("senior", "seniorlevel"), CareerStage.SENIOR),
    **dict.fromkeys(
        ("changer", "careerchange", "careerswitcher", "changingcareers"), CareerStage.CHANGER
    ),
    **dict.fromkeys(("returner", "returning", "careerbreak"), CareerStage.RETURNING),
}

_WHOLE_NUMBER = re.compile(r"\+?0*([0-9]{1,4})(?:\.0*)?")
_NUMBER_WORDS = {word: number for number, word in enumerate(SMALL_NUMBERS)}
#: A number of mentees as people write it: "3", "3 mentees", "up to 3", "max. 3", "3 max".
_CAPACITY = re.compile(
    r"(?:(?:up\s+to|at\s+most|max(?:imum)?\.?)\s*)?(?P<n>[^\s]+?)"
    r"(?:\s*(?:mentees?|people|persons?|participants?|max(?:imum)?\.?))?",
    re.IGNORECASE,
)
#: Years as people write them: "12", "12 years", "12 yrs".
_YEARS = re.compile(r"(?P<n>[^\s]+?)(?:\s*(?:years?|yrs?\.?))?", re.IGNORECASE)
#: More items than this in one list cell is not a list a person wrote for one mentor.
LIST_CELL_LIMIT = 40


def _as_text(text: str) -> tuple[object, list[str]]:
    return text, []


def _bounds(model: type[BaseModel], field: str) -> tuple[int, int]:
    """The (ge, le) bounds the model sets on a whole-number field."""
    low, high = 0, 10**6
    for constraint in model.model_fields[field].metadata:
        low = getattr(constraint, "ge", low)
        high = getattr(constraint, "le", high)
    return low, high


def _number(text: str) -> int | None:
    """A whole number written as digits ('3', '3.0', '+3', '03') or a word ('three')."""
    match = _WHOLE_NUMBER.fullmatch(text)
    if match:
        return int(match[1])
    return _NUMBER_WORDS.get(text.casefold())


def _whole_number(model: type[BaseModel], field: str, form: re.Pattern[str]) -> Converter:
    """A whole number in the model's range, written bare or in the words `form` allows."""
    low, high = _bounds(model, field)

    def convert(text: str) -> tuple[object, list[str]]:
        match = form.fullmatch(text.strip())
        number = _number(match["n"]) if match else None
        if number is not None and low <= number <= high:
            return number, []
        return None, [f"must be a whole number from {low} to {high}"]

    return convert


def _list_of(match: Converter | None = None, *, key: Callable[[object], object] = str) -> Converter:
    """Split a list cell, dropping repeats (same `key`); with `match`, turn each item into
    a known value: unknown items are left out, each with a problem."""

    def convert(text: str) -> tuple[object, list[str]]:
        items = _split_list(text)
        if len(items) > LIST_CELL_LIMIT:
            return None, [f"has too many items ({len(items)}, at most {LIST_CELL_LIMIT})"]
        values: list[object] = []
        seen: set[object] = set()
        reasons: list[str] = []
        for item in items:
            value, item_reasons = match(item) if match is not None else (item, [])
            reasons.extend(item_reasons)
            if value is not None and key(value) not in seen:
                seen.add(key(value))
                values.append(value)
        return values, reasons

    return convert


def _casefolded(value: object) -> object:
    return " ".join(str(value).casefold().split())


@dataclass(frozen=True)
class _ExpertiseCell:
    """An expertise cell read against the framework: what matched, and the other terms."""

    competencies: tuple[str, ...]
    unmatched: tuple[str, ...]


def _expertise(vocabulary: ExpertiseVocabulary) -> Converter:
    def convert(text: str) -> tuple[object, list[str]]:
        items = [item for item in _split_list(text) if not is_blank_term(item)]
        if len(items) > LIST_CELL_LIMIT:
            return None, [f"has too many items ({len(items)}, at most {LIST_CELL_LIMIT})"]
        competencies: dict[str, None] = {}
        unmatched: list[str] = []
        for item in items:
            found = vocabulary.match(item)
            competencies.update(dict.fromkeys(found))
            if not found:
                unmatched.append(item)
        return _ExpertiseCell(tuple(competencies), tuple(unmatched)), []

    return convert


def _format_item(item: str) -> tuple[object, list[str]]:
    found = _FORMAT_WORDS.get(_norm(item))
    if found is not None:
        return found, []
    return None, [f"unknown meeting format '{_show(item)}' (use in person, video, phone or chat)"]


def _career_stage(text: str) -> tuple[object, list[str]]:
    found = _STAGE_WORDS.get(_norm(text))
    if found is not None:
        return found, []
    choices = ", ".join(stage.value for stage in CareerStage)
    return None, [f"unknown career stage '{_show(text.strip())}' (use one of: {choices})"]


@cache
def _time_zones_by_key() -> dict[str, str]:
    return {zone.casefold(): zone for zone in available_timezones()}


def _time_zone(text: str) -> tuple[object, list[str]]:
    """A time zone name, its capitalisation repaired ('europe/berlin'); the model checks it."""
    text = text.strip()
    return _time_zones_by_key().get(text.casefold(), text), []


_TAG = TypeAdapter(Tag)


def _tag_problem(term: str) -> str | None:
    """Why `term` cannot be a mentor's tag (too long, a control character), or None."""
    try:
        _TAG.validate_python(term)
    except ValidationError as exc:
        return _reason(MentorProfile, {**exc.errors(include_url=False)[0], "loc": ("tags",)})
    return None


# ---------------------------------------------------------------------------------------
# Rows to models


def _header_lookup(columns: Sequence[Column]) -> dict[str, Column]:
    lookup: dict[str, Column] = {}
    for column in columns:
        for spelling in (column.field, column.label, *column.aliases):
            lookup[_norm(spelling)] = column
    return lookup


def _map_headers(path: Path, headers: list[str], columns: Sequence[Column]) -> dict[str, int]:
    """The position of each known column in `headers`, or `RosterError` if ambiguous/missing."""
    lookup = _header_lookup(columns)
    positions: dict[str, int] = {}
    for index, header in enumerate(headers):
        column = lookup.get(_norm(header)) if header else None
        if column is None:
            continue
        if column.field in positions:
            first = headers[positions[column.field]]
            raise RosterError(
                f"{path}: the columns '{_show(first)}' and '{_show(header)}' both mean "
                f"'{column.label}'; keep only one of them"
            )
        positions[column.field] = index
    missing = [column for column in columns if column.required and column.field not in positions]
    if missing:
        used = set(positions.values())
        stray = [h for i, h in enumerate(headers) if h and i not in used]
        taken = set(positions)

        def hint(column: Column) -> str:
            for header in stray:
                if _column_suggestion(header, columns, taken) == column.label:
                    return f"is '{_show(header)}' meant to be it? "
            return ""

        raise RosterError(
            f"{path}: "
            + "; ".join(
                f"the column '{column.label}' is missing ({hint(column)}accepted headers: "
                f"{', '.join(column.aliases)})"
                for column in missing
            )
        )
    return positions


def _ignored_columns(
    headers: list[str], rows: list[tuple[int, list[str]]], positions: Mapping[str, int]
) -> list[str]:
    """Headers that match no column, and unlabelled columns that hold data."""
    from openpyxl.utils import get_column_letter

    used = set(positions.values())
    ignored = [header for index, header in enumerate(headers) if header and index not in used]
    width = max((len(cells) for _, cells in rows), default=0)
    for index in range(width):
        if index < len(headers) and headers[index]:
            continue
        if any(index < len(cells) and cells[index].strip() for _, cells in rows):
            ignored.append(f"column {get_column_letter(index + 1)} (no header)")
    return ignored


def _column_suggestion(header: str, columns: Sequence[Column], taken: set[str]) -> str | None:
    """The label of the column a stray header most likely means, if one is close."""
    if len(header) > 200:
        return None
    words = sorted(re.findall(r"[^\W_]+", header.casefold()))
    spellings: dict[str, Column] = {}
    for column in columns:
        if column.field in taken:
            continue
        for spelling in (column.field, column.label, *column.aliases):
            if sorted(re.findall(r"[^\W_]+", spelling.casefold())) == words:
                return column.label  # the same words in another order: 'Mentees max'
            spellings.setdefault(_norm(spelling), column)
    close = difflib.get_close_matches(_norm(header), list(spellings), n=1, cutoff=0.75)
    return spellings[close[0]].label if close else None


def _ignored_warning(
    ignored: Sequence[str],
    headers: list[str],
    columns: Sequence[Column],
    positions: Mapping[str, int],
) -> str | None:
    """One sentence naming the ignored columns, what each may have meant, and the accepted
    columns."""
    if not ignored:
        return None
    taken = set(positions)
    named = set(headers)
    shown: list[str] = []
    for column_name in ignored[:_LIST_LIMIT]:
        if column_name not in named:  # 'column E (no header)'
            shown.append(column_name)
            continue
        guess = _column_suggestion(column_name, columns, taken)
        hint = f" (did you mean '{guess}'?)" if guess else ""
        shown.append(f"'{_show(column_name)}'{hint}")
    if len(ignored) > _LIST_LIMIT:
        shown.append(f"and {len(ignored) - _LIST_LIMIT} more")
    count = len(ignored)
    return (
        f"{count} column{'s were' if count != 1 else ' was'} ignored: {', '.join(shown)}. "
        f"Accepted columns: {', '.join(column.label for column in columns)} (other spellings "
        "are listed in docs/rosters.md)."
    )


#: How many items (terms, columns, rows) a warning lists before saying "and N more".
_LIST_LIMIT = 12
_ROWS_LIMIT = 5


def _rows_text(rows: Sequence[int]) -> str:
    """'row 4', 'rows 4, 9' or 'rows 4, 9, 12, 15, 20 and 3 more'."""
    shown = ", ".join(str(row) for row in rows[:_ROWS_LIMIT])
    more = f" and {len(rows) - _ROWS_LIMIT} more" if len(rows) > _ROWS_LIMIT else ""
    return f"row{'s' if len(rows) != 1 else ''} {shown}{more}"


def _reason(model: type[BaseModel], error: Mapping[str, Any]) -> str:
    """A pydantic error as the plain-words reason for one cell (the column is named apart)."""
    message = describe_error(model, {**error, "loc": ()})
    rest = tuple(error.get("loc", ()))[1:]
    if rest and isinstance(rest[0], int):
        message = f"item {rest[0] + 1} {message}"
    else:
        message = message.removeprefix("is ")
    return _show(message, 300)


#: Called on a row's converted values before the model is built: may change them, and
#: returns (warnings, terms kept as tags that matched nothing).
Adjust = Callable[[dict[str, object], int, Callable[[str], str]], tuple[list[str], list[str]]]


@dataclass
class _Row:
    """What one data row gave: a record or problems, and warnings about what was kept."""

    record: BaseModel | None
    problems: list[RowProblem]
    warnings: list[str]
    unmatched: list[str]


def _left_out(number: int, header: str, reason: str, cell: str = "") -> str:
    """The warning for a value left out of an imported row (`cell`: the text left out,
    when the reason does not quote it)."""
    where = f"Row {number}, column '{_show(header)}'" if header else f"Row {number}"
    quoted = f"'{_show(cell.strip(), 40)}'"
    if cell.strip() and quoted not in reason:
        where += f" ({quoted})"
    return f"{where}: {reason}; that value was left out and the rest of the row imported."


def _check_row(
    model: type[T],
    columns: Sequence[Column],
    converters: Mapping[str, Converter],
    headers: list[str],
    positions: Mapping[str, int],
    number: int,
    cells: list[str],
    first_row_of_email: dict[str, int],
    first_row_of_hub_user: dict[str, int],
    adjust: Adjust | None = None,
) -> _Row:
    """One data row as a model, or every problem that makes it unusable in file column
    order; a bad value in a column that does not reject the row is left out with a warning."""
    found: list[tuple[int, RowProblem]] = []
    failed: set[str] = set()
    warnings: list[tuple[int, str]] = []  # with the column's position, to sort by
    data: dict[str, object] = {}
    rejects = {column.field for column in columns if column.rejects}

    def header_of(field: str) -> str:
        index = positions.get(field, -1)
        return headers[index] if index >= 0 else ""

    def report(field: str, reason: str) -> None:
        index = positions.get(field, -1)
        problem = RowProblem(number, header_of(field), reason)
        if all(problem != known for _, known in found):
            found.append((index, problem))

    for column in columns:
        if column.field not in positions or column.field == HUB_USER:
            continue
        text = cells[positions[column.field]]
        if not text.strip():
            if column.required and column.rejects:
                failed.add(column.field)
                report(column.field, "must not be empty")
            continue  # a blank cell takes the model's default
        value, reasons = converters.get(column.field, _as_text)(text)
        if reasons and column.rejects:
            failed.add(column.field)
            for reason in reasons:
                report(column.field, reason)
            continue
        shown = text if value is None else ""
        warnings.extend(
            (positions[column.field], _left_out(number, header_of(column.field), reason, shown))
            for reason in reasons
        )
        if value is not None:
            data[column.field] = value

    email_key = cells[positions["email"]].strip().lower()
    if email_key in first_row_of_email:
        report("email", f"duplicate email: also on row {first_row_of_email[email_key]}")
    elif email_key:
        first_row_of_email[email_key] = number

    unmatched: list[str] = []
    if adjust is not None:
        more, unmatched = adjust(data, number, header_of)
        warnings.extend((positions.get("expertise", -1), warning) for warning in more)

    record: T | None = None
    # Each pass leaves out at least one bad value, so this ends; the bound is a backstop.
    for _ in range(len(data) * (LIST_CELL_LIMIT + 1) + 1):
        try:
            record = model.model_validate(data)
            break
        except ValidationError as exc:
            drop_fields: set[str] = set()
            drop_items: dict[str, set[int]] = {}
            for error in exc.errors(include_url=False):
                loc = tuple(error.get("loc", ()))
                field = str(loc[0]) if loc else ""
                if field in failed:
                    continue  # a cell that failed conversion is reported already
                if field in rejects or field not in data:
                    report(field, _reason(model, error))
                    continue
                warning = _left_out(number, header_of(field), _reason(model, error))
                warnings.append((positions.get(field, -1), warning))
                value = data[field]
                if len(loc) > 1 and isinstance(loc[1], int) and isinstance(value, list):
                    drop_items.setdefault(field, set()).add(loc[1])
                else:
                    drop_fields.add(field)
            if found:
                break
            for field, indexes in drop_items.items():
                value = data[field]
                assert isinstance(value, list)
                data[field] = [item for i, item in enumerate(value) if i not in indexes]
            for field in drop_fields:
                del data[field]
    if HUB_USER in positions:
        hub_user = cells[positions[HUB_USER]].strip()
        for reason in _hub_user_problems(hub_user, number, first_row_of_hub_user):
            report(HUB_USER, reason)
    found.sort(key=lambda pair: pair[0])
    if found or record is None:
        return _Row(None, [problem for _, problem in found], [], [])
    warnings.sort(key=lambda pair: pair[0])
    return _Row(record, [], [warning for _, warning in warnings], unmatched)


def _hub_user_problems(hub_user: str, number: int, first_row: dict[str, int]) -> list[str]:
    """Why a `hub_user` cell cannot sign anyone in; records the name's first row."""
    if not hub_user:
        return []
    if len(hub_user) > HUB_USER_MAX_LENGTH:
        return [f"must be at most {HUB_USER_MAX_LENGTH} characters"]
    if any(char.isspace() or not char.isprintable() for char in hub_user):
        return ["must be one hub user name, without spaces"]
    if hub_user in first_row:
        return [f"duplicate hub user: also on row {first_row[hub_user]}"]
    first_row[hub_user] = number
    return []


def _read_roster(
    source: Path | str,
    model: type[T],
    columns: Sequence[Column],
    converters: Mapping[str, Converter],
    adjust: Adjust | None = None,
    summarise: Callable[[dict[str, list[int]], list[T], list[int]], list[str]] | None = None,
) -> RosterImport[T]:
    path = Path(source)
    headers, rows = read_table(path)
    positions = _map_headers(path, headers, columns)
    records: list[T] = []
    record_rows: list[int] = []
    problems: list[RowProblem] = []
    cell_warnings: list[str] = []
    unmatched: dict[str, list[int]] = {}
    first_row_of_email: dict[str, int] = {}
    first_row_of_hub_user: dict[str, int] = {}
    hub_users: dict[str, str] = {}
    for number, cells in rows:
        row = _check_row(
            model,
            columns,
            converters,
            headers,
            positions,
            number,
            cells,
            first_row_of_email,
            first_row_of_hub_user,
            adjust,
        )
        problems.extend(row.problems)
        if row.record is None:
            continue
        assert isinstance(row.record, model)
        records.append(row.record)
        record_rows.append(number)
        cell_warnings.extend(row.warnings)
        for term in row.unmatched:
            unmatched.setdefault(term, []).append(number)
        hub_user = cells[positions[HUB_USER]].strip() if HUB_USER in positions else ""
        if hub_user:
            hub_users[cells[positions["email"]].strip().lower()] = hub_user
    ignored = _ignored_columns(headers, rows, positions)
    warnings = [
        sentence
        for sentence in (
            _ignored_warning(ignored, headers, columns, positions),
            *(summarise(unmatched, records, record_rows) if summarise else []),
            *cell_warnings,
        )
        if sentence
    ]
    return RosterImport(
        records=records,
        problems=problems,
        ignored_columns=ignored,
        rows_read=len(rows),
        hub_users=hub_users,
        warnings=warnings,
    )


def _mentor_adjust(
    data: dict[str, object], number: int, header_of: Callable[[str], str]
) -> tuple[list[str], list[str]]:
    """Expertise as competency ids; the terms that matched nothing join the tags column's
    tags (repeats, any case, dropped), each checked to be a short line of text."""
    cell = data.pop("expertise", None)
    written = data.pop("tags", [])
    competencies = list(cell.competencies) if isinstance(cell, _ExpertiseCell) else []
    unmatched = list(cell.unmatched) if isinstance(cell, _ExpertiseCell) else []
    assert isinstance(written, list)
    data["expertise"] = competencies
    warnings: list[str] = []
    tags: list[str] = []
    kept_unmatched: list[str] = []
    seen: set[object] = set()
    candidates = [("expertise", term) for term in unmatched]
    candidates += [("tags", term) for term in written]
    for source, raw in candidates:
        term = " ".join(str(raw).split())
        problem = _tag_problem(term)
        if problem is not None:
            what = "matches nothing in the framework and " if source == "expertise" else ""
            reason = f"'{_show(term, 40)}' {what}cannot be a tag ({problem})"
            warnings.append(_left_out(number, header_of(source), reason))
            continue
        if _casefolded(term) in seen:
            continue
        if len(tags) == MAX_TAGS:
            warnings.append(
                f"Row {number}: only the first {MAX_TAGS} tags were kept; "
                f"'{_show(term, 40)}' and any after it were left out."
            )
            break
        seen.add(_casefolded(term))
        tags.append(term)
        if source == "expertise":
            kept_unmatched.append(term)
    data["tags"] = tags
    return warnings, kept_unmatched


def _mentor_summary(vocabulary: ExpertiseVocabulary) -> Callable[..., list[str]]:
    def summarise(
        unmatched: dict[str, list[int]], records: list[MentorProfile], rows: list[int]
    ) -> list[str]:
        sentences: list[str] = []
        if unmatched:
            by_key: dict[object, tuple[str, list[int]]] = {}
            for term, term_rows in unmatched.items():
                shown, seen_rows = by_key.setdefault(_casefolded(term), (term, []))
                seen_rows.extend(row for row in term_rows if row not in seen_rows)
            listed: list[str] = []
            for shown, term_rows in list(by_key.values())[:_LIST_LIMIT]:
                guess = vocabulary.suggestion(shown)
                hint = f"; did you mean '{guess}'?" if guess else ""
                listed.append(f"'{_show(shown, 40)}' ({_rows_text(sorted(term_rows))}{hint})")
            if len(by_key) > _LIST_LIMIT:
                listed.append(f"and {len(by_key) - _LIST_LIMIT} more")
            count = len(by_key)
            names = vocabulary.accepted_names()
            if len(names) > 80:
                names = [name for name in names if name.endswith(" (area)")]
                names.append("and the competencies of each area")
            sentences.append(
                f"{count} expertise term{'s match' if count != 1 else ' matches'} nothing in "
                "the framework and "
                f"{'were' if count != 1 else 'was'} kept as "
                f"{'tags' if count != 1 else 'a tag'} on the mentor: {', '.join(listed)}. "
                f"Accepted names (an area means all its competencies): {', '.join(names)}; "
                "common synonyms such as 'presenting' work too."
            )
        bare = [row for row, record in zip(rows, records, strict=True) if not record.expertise]
        if bare:
            count = len(bare)
            sentences.append(
                f"{count} mentor{'s' if count != 1 else ''} ({_rows_text(bare)}) "
                f"{'list' if count != 1 else 'lists'} no competency of the framework, so "
                f"{'they rank' if count != 1 else 'the mentor ranks'} low for every "
                "participant: add "
                "one to the expertise column and import again to change that."
            )
        return sentences

    return summarise


def read_mentors(
    source: Path | str, framework: Framework, *, synonyms: Mapping[str, str] | None = None
) -> RosterImport[MentorProfile]:
    """The mentors in a CSV or Excel roster; expertise is matched to `framework`'s ids.

    Expertise terms are matched by `ExpertiseVocabulary` with `synonyms` (by default those
    of data/expertise_synonyms.yaml); a term that matches nothing is kept as a tag and
    named in `warnings`. Only rows that cannot be used (no name, no valid email, a repeated
    email, no capacity from 0 to 20) are reported in `problems` and left out; another bad
    value is left out of its row with a warning. `RosterError` is raised only when the
    file as a whole cannot be used.
    """
    if synonyms is None:
        from mentorkit.catalog import load_expertise_synonyms

        synonyms = load_expertise_synonyms()
    vocabulary = ExpertiseVocabulary(framework, synonyms)
    converters: dict[str, Converter] = {
        "expertise": _expertise(vocabulary),
        "capacity": _whole_number(MentorProfile, "capacity", _CAPACITY),
        "years_experience": _whole_number(MentorProfile, "years_experience", _YEARS),
        "formats": _list_of(_format_item),
        "time_zone": _time_zone,
        "languages": _list_of(key=_casefolded),
        "tags": _list_of(),
    }
    return _read_roster(
        source,
        MentorProfile,
        MENTOR_COLUMNS,
        converters,
        adjust=_mentor_adjust,
        summarise=_mentor_summary(vocabulary),
    )


def read_participants(source: Path | str) -> RosterImport[Participant]:
    """The participants in a CSV or Excel roster. Rows without a name or a valid email, a
    repeated email or a bad hub user are reported, not imported; another bad value (an
    unknown career stage) is left out of its row with a warning."""
    converters: dict[str, Converter] = {"career_stage": _career_stage}
    return _read_roster(source, Participant, PARTICIPANT_COLUMNS, converters)


# ---------------------------------------------------------------------------------------
# Export


def safe_cell(value: object) -> object:
    """`value`, with text that a spreadsheet would run as a formula prefixed by an apostrophe.

    Text starting with =, +, -, @, tab or carriage return (or a full-width ＝ ＋ － ＠) is a
    formula, or starts one, in Excel and LibreOffice; "'=HYPERLINK(...)" is shown as the
    text it is. Other values are returned unchanged.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _export_value(value: object) -> object:
    """A value as a spreadsheet cell holds it: text, a number or a date."""
    if value is None:
        return ""
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.isoformat()  # Excel has no time zones; keep the offset as text
    if isinstance(value, str | int | float | Decimal | date | time):
        return value
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return "; ".join(str(_export_value(item)) for item in value)
    return str(value)


def _excel_text(text: str) -> str:
    """`text` storable in .xlsx: control characters become U+FFFD, lone surrogates '?'."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    return text.encode("utf-8", "replace").decode("utf-8")


def write_table(
    rows: Sequence[Mapping[str, object]], columns: Sequence[str], destination: Path | str
) -> None:
    """Write `rows` (the `columns` of each, in order, under a header row) as .csv or .xlsx.

    Every cell goes through `safe_cell`. CSV is UTF-8 with a BOM so Excel shows accents;
    .xlsx stores text as text, never as a formula. Raises `RosterError` for another
    extension, a cell too long for Excel, or a file that cannot be written.
    """
    path = Path(destination)
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".xlsx"}:
        kind = f"a {suffix} file" if suffix else "a file without an extension"
        raise RosterError(f"{path}: cannot write {kind}; choose a name ending in .csv or .xlsx")
    excel = suffix == ".xlsx"
    table: list[list[object]] = []
    lines: tuple[list[object], ...] = (
        [*columns],
        *([row.get(column) for column in columns] for row in rows),
    )
    for row_number, values in enumerate(lines, start=1):
        cells: list[object] = []
        for index, value in enumerate(values):
            cell = _export_value(value)
            if excel and isinstance(cell, str):
                cell = _excel_text(cell)
                if len(cell) > EXCEL_MAX_CELL_CHARS:
                    raise RosterError(
                        f"{path}: row {row_number}, column '{_show(columns[index])}' holds "
                        f"{len(cell):,} characters, more than the {EXCEL_MAX_CELL_CHARS:,} "
                        "an Excel cell can hold; export to .csv instead"
                    )
            cells.append(safe_cell(cell))
        table.append(cells)
    try:
        if excel:
            _write_excel(path, table)
        else:
            with path.open("w", encoding="utf-8-sig", errors="replace", newline="") as file:
                csv.writer(file, quoting=csv.QUOTE_MINIMAL).writerows(table)
    except OSError as exc:
        raise RosterError(f"{path}: cannot be written ({_os_reason(exc)})") from None


def _write_excel(path: Path, table: list[list[object]]) -> None:
    """Save `table` as a one-sheet workbook; text cells are typed as text explicitly."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Roster")
    for values in table:
        cells: list[WriteOnlyCell] = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text stays text, whatever it looks like
            cells.append(cell)
        sheet.append(cells)
    workbook.save(path)
