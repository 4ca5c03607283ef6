"""Rendering of printable outputs (plan, agreement, calendar): the two Jinja2 environments
they share, Markdown escaping and the date filters.

HTML is rendered with autoescaping on; in Markdown each printed expression is passed
through `markdown_escape` unless a filter already made it safe (`MarkdownSafe`). Pure: no
widgets, no I/O beyond reading the templates.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2 import Environment

TEMPLATES_DIR = Path(__file__).parent / "templates"


# ---------------------------------------------------------------------------------------
# Markdown escaping


class MarkdownSafe(str):
    """Text already escaped for Markdown: the Markdown environment prints it as it is."""


_INLINE_SPECIALS = re.compile(r"([\\`*\[\]|~$<])")
#: An underscore escaped unless it sits between two letters or digits (snake_case, an
#: email address): there it cannot start emphasis, and a backslash would only be noise.
_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
#: `&` that would start a character reference (`&amp;`, `&#60;`, `&#x3C;`) when rendered.
_ENTITY_START = re.compile(r"&(?=#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]*;)")
_LINE_START_MARKER = re.compile(r"^([#+\-=>])", re.MULTILINE)
_LINE_START_NUMBER = re.compile(r"^(\d+)([.)])(?=\s|$)", re.MULTILINE)
_LEADING_SPACE = re.compile(r"^[ \t]+", re.MULTILINE)


def markdown_escape(text: str) -> str:
    """`text` as literal Markdown: what was typed is what a Markdown viewer shows.

    Backslash escapes only, never HTML entities, so the file reads as typed in a plain text
    editor too (`Tom & Jerry \\<b>`): `<` becomes `\\<` (no tag, comment or autolink can
    start); `&` is escaped only where it would start a character reference (`&amp;`
    stays `&amp;` on screen); `\\`, backticks, `*`, `[`, `]`, `|`, `~` and `$` (Jupyter
    maths) are escaped anywhere, `_` wherever it could start emphasis (not inside
    `snake_case`); `#`, `+`, `-`, `=`, `>` and `1.` / `1)` are escaped at the start of each
    line, after dropping the line's indentation (four spaces would start a code block).
    Line breaks are kept. A bare URL stays visible text, which some renderers still show
    as a link to exactly that URL.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INLINE_SPECIALS.sub(r"\\\1", text)
    text = _UNDERSCORE.sub(r"\\_", text)
    text = _ENTITY_START.sub(r"\\&", text)
    text = _LEADING_SPACE.sub("", text)
    text = _LINE_START_MARKER.sub(r"\\\1", text)
    return _LINE_START_NUMBER.sub(r"\1\\\2", text)


def _markdown_finalize(value: Any) -> str:
    """Escape every expression the Markdown templates print, unless it is `MarkdownSafe`."""
    if value is None:
        return ""
    if isinstance(value, MarkdownSafe):
        return value
    return markdown_escape(str(value))


def markdown_text(text: str, indent: str = "") -> MarkdownSafe:
    """Multi-line user text as a Markdown block: escaped, with hard line breaks kept."""
    lines = markdown_escape(text).split("\n")
    return MarkdownSafe(("  \n" + indent).join(lines))


def markdown_cell(text: str) -> MarkdownSafe:
    """User text for a Markdown table cell: escaped, line breaks as `<br>`."""
    return MarkdownSafe(markdown_escape(text).replace("\n", "<br>") or " ")


# ---------------------------------------------------------------------------------------
# Dates and shared template helpers


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(day: date | None) -> str:
    """'12 March 2026' (empty for no date), the same in every locale: the month's name is
    not strftime's, which follows the server's locale."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}" if day else ""


def weekday_date(day: date | None) -> str:
    """'Thu 12 March 2026' (empty for no date)."""
    return f"{day:%a} {day.day} {day:%B %Y}" if day else ""


_SHARED_FILTERS: Mapping[str, Callable[..., Any]] = {
    "long_date": long_date,
    "weekday_date": weekday_date,
}


@cache
def html_environment() -> Environment:
    """Templates for HTML output: every printed value is HTML-escaped."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(_SHARED_FILTERS)
    return env


@cache
def markdown_environment() -> Environment:
    """Templates for Markdown output: every printed value goes through `markdown_escape`."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=False,
        finalize=_markdown_finalize,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(_SHARED_FILTERS)
    env.filters["md_text"] = markdown_text
    env.filters["md_cell"] = markdown_cell
    return env
