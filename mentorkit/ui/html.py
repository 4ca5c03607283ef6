"""HTML for pages: escaped user text, lists in words, times, links, embedded documents.

Every user-entered string goes through `html.escape` before it reaches a `widgets.HTML`,
which inserts its value as raw HTML.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from html import escape


def paragraphs(text: str) -> str:
    """Plain text as escaped HTML paragraphs (a blank line starts a new one)."""
    blocks = [b.strip() for b in text.split("\n\n") if b.strip()]
    return "".join(f"<p>{escape(' '.join(b.split()))}</p>" for b in blocks)


def split_list(text: str) -> list[str]:
    """Comma- or semicolon-separated entries, blanks dropped.

    Short lists (topics, values, languages) are typed into one text box; this is how
    every worksheet reads them back. An entry typed twice stays twice: where a list must
    not repeat itself the model says so next to the box, and the text stays as typed,
    rather than a word vanishing on the next visit.
    """
    entries = (" ".join(part.split()) for part in text.replace(";", ",").split(","))
    return [entry for entry in entries if entry]


def spoken_list(words: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def time_html(when: datetime, *, seconds: bool = False) -> str:
    """A moment as `<time class="mentorkit-time" datetime="…">01:24</time>` for a page.

    The kernel runs in the server's time zone, not the reader's: the page script
    (enhance.js in the Voilà template) rewrites the text into the browser's own zone, with
    the date when it is not today there. `datetime` is ISO 8601 in UTC with its offset; the
    text, shown where no script runs, is the UTC clock time (with the UTC date when that is
    not today). A naive `when` is taken as the
    server's local time. `seconds` shows the seconds too (`data-seconds`).
    """
    moment = when.astimezone(UTC)
    stamp = escape(moment.isoformat(timespec="seconds"))
    clock = f"{moment:%H:%M:%S}" if seconds else f"{moment:%H:%M}"
    if moment.date() != datetime.now(UTC).date():
        clock = f"{moment.day} {moment:%b %Y}, {clock}"
    clock = escape(clock)
    extra = " data-seconds" if seconds else ""
    return f'<time class="mentorkit-time" datetime="{stamp}"{extra}>{clock}</time>'


def html_text(text: str) -> str:
    """User text as escaped HTML that keeps its line breaks."""
    return escape(text).replace("\n", "<br>")


def download_link(filename: str, content: str | bytes, mime: str, label: str) -> str:
    """An HTML link that downloads `content` as `filename`, with no server round trip."""
    import base64

    data = content.encode("utf-8") if isinstance(content, str) else content
    encoded = base64.b64encode(data).decode("ascii")
    return (
        f'<a class="mentorkit-download" download="{escape(filename)}" '
        f'href="data:{escape(mime)};base64,{encoded}">{escape(label)}</a>'
    )


#: The media type of an Excel workbook (.xlsx), for download links.
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_bytes(rows: Sequence[Mapping[str, object]], columns: Sequence[str], suffix: str) -> bytes:
    """A table written as a .csv or .xlsx file (formulas neutralised), as bytes.

    It goes through `exports.write_rows`, as `mentorkit export` does, so a download and the
    command line's file hold the same cells.
    """
    import tempfile
    from pathlib import Path

    from mentorkit import exports  # imported when a table is made, not by every worksheet

    with tempfile.TemporaryDirectory(prefix="mentorkit-") as folder:
        path = Path(folder) / f"table{suffix}"
        exports.write_rows(rows, columns, path)
        return path.read_bytes()


def copy_button(text: str, label: str = "Copy to clipboard") -> str:
    """A button that copies `text` (kept in an escaped data attribute) to the clipboard."""
    return (
        f'<button type="button" class="mentorkit-copy" data-text="{escape(text, quote=True)}" '
        'onclick="navigator.clipboard.writeText(this.dataset.text)'
        ".then(() => { this.textContent = 'Copied'; })\">"
        f"{escape(label)}</button>"
    )


#: How the printable documents (plan, agreement) look when shown inside an app's page.
#: Their own print CSS styles `body`, `h1`, `table` … and would restyle the whole page, so
#: only their <body> is embedded, under these rules scoped to `.mentorkit-document`.
DOCUMENT_CSS = """
<style>
.mentorkit-document { border: 1px solid #d9e2ec; border-radius: 6px; padding: 0.2rem 1.2rem 1rem;
  background: #fff; white-space: normal; overflow-wrap: break-word; }
.mentorkit-document header p { margin: 0.15rem 0; color: #334e68; }
.mentorkit-document h3 { border-bottom: 1px solid #d9e2ec; padding-bottom: 0.2rem; }
.mentorkit-document table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; }
.mentorkit-document th, .mentorkit-document td { border: 1px solid #9aa5b1; padding: 0.35rem 0.5rem;
  text-align: start; vertical-align: top; }
.mentorkit-document thead th { background: #eef2f7; }
.mentorkit-document dl.terms { display: grid; grid-template-columns: max-content 1fr;
  gap: 0.2rem 1rem; margin: 0.5rem 0; }
.mentorkit-document dl.terms dt { font-weight: 600; white-space: nowrap; }
.mentorkit-document dl.terms dd { margin: 0; }
.mentorkit-document .text { white-space: pre-wrap; }
.mentorkit-document .empty { color: #52606d; font-style: italic; }
.mentorkit-document .note { color: #52606d; font-size: 0.9rem; }
.mentorkit-document ul.dates { columns: 2; }
.mentorkit-document ul.checklist { list-style: none; padding-left: 0; }
.mentorkit-document ul.checklist li::before { content: "\\2610\\00a0"; }
.mentorkit-document ul.checklist li.done::before { content: "\\2611\\00a0"; }
.mentorkit-document li.done .item { text-decoration: line-through; }
.mentorkit-document .signatures { display: grid; grid-template-columns: 1fr 1fr; gap: 2.5rem;
  margin-top: 2rem; }
.mentorkit-document .signature .line { border-bottom: 1px solid #1f2933; height: 2.5rem; }
</style>
"""

_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.DOTALL | re.IGNORECASE)
_HEADING = re.compile(r"<(/?)h([1-5])(?=[\s>])")


def embedded_document(document: str, label: str) -> str:
    """The <body> of a standalone HTML document made by the escaping renderers, for a page.

    Every user string in `document` is already escaped by its (autoescaping) template; its
    headings move one level down so that the app's own <h1> stays the page's only one.
    """
    found = _BODY.search(document)
    body = found.group(1) if found else ""
    body = _HEADING.sub(lambda m: f"<{m[1]}h{int(m[2]) + 1}", body)
    return (
        f'<article class="mentorkit-document" aria-label="{escape(label)}">{body.strip()}</article>'
    )
