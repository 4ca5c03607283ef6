"""The Workshop setup app's data sections: roster upload, and every download.

`RosterSection` is `mentorkit import` in the browser. An uploaded mentor or participant
roster (CSV or XLSX) is read first and nothing is written: the page shows the rows that
would be imported, the same row report as the command line (row, column as written,
reason), the columns it ignores and what deserves a look; the facilitator then imports the
valid rows, or fixes the file and uploads it again (a new upload replaces the preview).
Importing goes through `mentorkit.workshops.import_roster`, as the command line does: one
transaction, so an import that fails writes nothing; people are added or updated by email
and nobody is removed; new participants and new mentors get invite codes, shown once as a
mail-merge download (the mentors' sheet with each mentor's personal link). A mentor who
edited their own profile keeps it, and the summary counts them.

The page sends a file to the kernel as one websocket message, and the server refuses a
message over 1 MiB (voila.json), so a file here is at most `MAX_UPLOAD_BYTES`; a bigger
roster is imported with `mentorkit import`. The roster readers take paths, so the bytes
are written to a private temporary file (keeping the file's suffix, which says how to read
it) that is deleted as soon as it is read.

`DownloadsSection` is `mentorkit export` and `mentorkit backup`: each download is built
when the facilitator asks for it ("Prepare …"), not on every redraw, so a big backup is on
the page only when wanted. Invite codes are stored only as hashes, so their sheet comes
with new codes (`mentorkit people invite`, `mentorkit mentors invite`).

Every cell of an uploaded file is untrusted text: all of it is escaped before it reaches
the page.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from html import escape
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from mentorkit import exports, people
from mentorkit.errors import MentorkitError
from mentorkit.models import MentorProfile, Participant, Workshop
from mentorkit.store import Saved
from mentorkit.ui.facilitator import FacilitatorSession
from mentorkit.ui.frame import guarded
from mentorkit.ui.guard import Confirmation
from mentorkit.ui.html import XLSX_MIME, download_link, table_bytes, time_html
from mentorkit.ui.people_panel import invite_downloads, mentor_invites_html
from mentorkit.ui.uploads import (
    MAX_UPLOAD_BYTES,
    MAX_UPLOAD_WORDS,
    TemporaryUpload,
    Upload,
    file_upload,
    shown_name,
    take_upload,
)
from mentorkit.workshops import RosterKind, RosterOutcome, import_roster, read_roster

log = logging.getLogger("mentorkit")

#: The file types the file chooser offers. .xls and .ods are offered too, so that a
#: facilitator who has one is told how to save it as a file mentorkit reads.
ACCEPTED_SUFFIXES = ".csv,.tsv,.txt,.xlsx,.xlsm,.xls,.ods"
#: The largest backup offered through the page. A download is a data: link inside the page
#: (as the dashboard's are; Chromium downloads one of several MB), and the page holds it
#: whole, a third larger in base64; a bigger backup is written with `mentorkit backup`.
MAX_PAGE_DOWNLOAD_BYTES = 25 * 1024 * 1024
#: The most valid rows the preview lists (all of them are imported).
PREVIEW_ROWS = 200


def counted(count: int, kind: RosterKind) -> str:
    """'1 mentor', '3 participants'."""
    return f"{count} {kind.removesuffix('s') if count == 1 else kind}"


KIND_WORDS: Mapping[RosterKind, str] = {
    "mentors": "mentor roster",
    "participants": "participant roster",
}
#: The columns the preview shows, by roster kind: (field, header).
PREVIEW_COLUMNS: Mapping[RosterKind, tuple[tuple[str, str], ...]] = {
    "mentors": (
        ("name", "Name"),
        ("email", "Email"),
        ("organization", "Organization"),
        ("expertise", "Expertise"),
        ("tags", "Tags"),
        ("capacity", "Capacity"),
        ("languages", "Languages"),
        ("hub_user", "Hub user"),
    ),
    "participants": (
        ("name", "Name"),
        ("email", "Email"),
        ("department", "Department"),
        ("career_stage", "Career stage"),
        ("hub_user", "Hub user"),
    ),
}

#: The button that issues mentors' invite codes (`mentorkit mentors invite`).
PREPARE_MENTOR_INVITES = "Prepare mentors' invite codes"

_CSV = (".csv", "text/csv", "CSV")
_XLSX = (".xlsx", XLSX_MIME, "XLSX")


# ---------------------------------------------------------------------------------------
# Reading an upload


@dataclass(frozen=True)
class Preview:
    """An upload read but not imported: what the import button will import."""

    kind: RosterKind
    upload: Upload
    valid: int  # the rows that would be imported


# ---------------------------------------------------------------------------------------
# The report, as HTML (every cell escaped)


def _cell(value: object, names: Mapping[str, str]) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple | set):
        return "; ".join(_cell(item, names) for item in value)
    text = str(getattr(value, "value", value))
    return names.get(text, text)


def preview_html(
    kind: RosterKind,
    records: Sequence[MentorProfile | Participant],
    workshop: Workshop,
    hub_users: Mapping[str, str] | None = None,
) -> str:
    """The rows that would be imported, as a table of their key columns."""
    if not records:
        return ""
    names = {cid: c.name for cid, c in workshop.framework.competencies().items()}
    hub_users = hub_users or {}
    fields = [
        (field, header)
        for field, header in PREVIEW_COLUMNS[kind]
        if field in type(records[0]).model_fields or (field == "hub_user" and hub_users)
    ]
    head = "".join(f"<th scope='col'>{escape(header)}</th>" for _, header in fields)
    body = []
    for record in records[:PREVIEW_ROWS]:
        cells = []
        for field, _header in fields:
            if field == "hub_user":
                value: object = hub_users.get((getattr(record, "email", "") or "").lower(), "")
            else:
                value = getattr(record, field, None)
            tag = "th scope='row'" if field == "name" else "td"
            cells.append(f"<{tag}>{escape(_cell(value, names))}</{tag.split()[0]}>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    more = len(records) - PREVIEW_ROWS
    caption = f"The {len(records)} row{'s' if len(records) != 1 else ''} that would be imported"
    if more > 0:
        caption += f" (the first {PREVIEW_ROWS} are listed; all {len(records)} are imported)"
    return (
        '<div class="mentorkit-table-wrap"><table class="mentorkit-table mentorkit-preview">'
        f"<caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def problems_html(problems: Sequence[Any]) -> str:
    """The row report as the command line prints it, as a table: row, column as written in
    the file, reason."""
    if not problems:
        return ""
    rows = "".join(
        f"<tr><td class='num'>{int(p.row)}</td><td>{escape(p.column) or '(the whole row)'}</td>"
        f"<td>{escape(p.reason)}</td></tr>"
        for p in problems
    )
    skipped = len({p.row for p in problems})
    caption = (
        f"{skipped} row{'s' if skipped != 1 else ''} that cannot be imported, and why "
        "(row numbers as your spreadsheet shows them)"
    )
    return (
        '<div class="mentorkit-table-wrap"><table class="mentorkit-table mentorkit-row-report">'
        f"<caption>{escape(caption)}</caption><thead><tr><th scope='col' class='num'>Row</th>"
        "<th scope='col'>Column</th><th scope='col'>Reason</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></div>"
    )


def notes_html(ignored_columns: Sequence[str], warnings: Sequence[str]) -> str:
    """The columns that are not read, and what was read but deserves a look."""
    parts = []
    if ignored_columns:
        items = "".join(f"<li>{escape(column)}</li>" for column in ignored_columns)
        parts.append(
            "<p>These columns are not known and will be ignored (rename a column to an "
            "accepted header if it should be read; see docs/rosters.md):</p>"
            f'<ul class="mentorkit-ignored-columns">{items}</ul>'
        )
    if warnings:
        items = "".join(f"<li>{escape(warning)}</li>" for warning in warnings)
        parts.append(
            f'<p>Worth a look before importing:</p><ul class="mentorkit-warnings">{items}</ul>'
        )
    return "".join(parts)


# ---------------------------------------------------------------------------------------
# The roster section


class RosterSection(widgets.VBox):
    """Upload the mentor or participant roster, see what it holds, import the valid rows.

    The import button acts only on the preview this page shows (`Confirmation`): a click
    sent without an upload, or after the preview was discarded, imports nothing.
    `on_change` is called after an import (e.g. to redraw the people list); `base` is the
    server's address, for new mentors' personal links ('' when it is not known).
    """

    def __init__(
        self,
        session: FacilitatorSession,
        on_change: Callable[[], object] | None = None,
        base: str = "",
    ) -> None:
        super().__init__()
        self.add_class("mentorkit-rosters")
        self.session = session
        self.on_change = on_change
        self.base = base
        guard = guarded(session.notice)
        self.uploads: dict[RosterKind, widgets.FileUpload] = {}
        for kind, words in KIND_WORDS.items():
            upload = file_upload(
                ACCEPTED_SUFFIXES,
                f"Upload the {words}",
                tooltip=f"A .csv or .xlsx file of at most {MAX_UPLOAD_WORDS}",
            )
            upload.add_class(f"mentorkit-upload-{kind}")
            upload.observe(
                guard(lambda _change, kind=kind: self._uploaded(kind)),
                names="value",
            )
            self.uploads[kind] = upload
        self.summary = widgets.HTML()
        self.preview = widgets.HTML()
        self.report = widgets.HTML()
        self.notes = widgets.HTML()
        self.import_button = widgets.Button(
            description="Import the valid rows",
            button_style="primary",
            disabled=True,
            layout=widgets.Layout(width="auto"),
        )
        self.discard = widgets.Button(
            description="Discard this upload",
            tooltip="Import nothing and clear the preview",
            disabled=True,
            layout=widgets.Layout(width="auto"),
        )
        self.actions = widgets.HBox([self.import_button, self.discard]).add_class(
            "mentorkit-people-actions"
        )
        self.actions.layout.display = "none"
        self.outcome = widgets.HTML()
        #: New mentors' invite codes after an import, shown once as their sheet.
        self.mentor_invites = widgets.HTML()
        self.import_button.on_click(guard(lambda _button: self.import_rows()))
        self.discard.on_click(guard(lambda _button: self.clear_preview()))
        #: The upload whose preview is shown, until it is imported or replaced.
        self.pending: Confirmation[Preview] = Confirmation("importing an uploaded roster")
        self.children = [
            widgets.HTML(
                "<p>Upload the mentor roster and the participant roster as CSV (saved as "
                "'CSV UTF-8') or Excel workbooks (.xlsx), one file at a time, of at most "
                f"{MAX_UPLOAD_WORDS} each (a bigger file cannot reach the server from this "
                "page: split it, or import it with <code>mentorkit import</code>). Nothing "
                "is imported until you have seen what the file holds and pressed Import.</p>"
                "<p class='mentorkit-muted'>Importing adds the people in the file and "
                "updates those already on the roster (matched by email); nobody is removed "
                "(remove people under People); a mentor who edited their own profile keeps "
                "it. New participants and new mentors get invite codes, which you download "
                "once, for a mail merge, right after the import.</p>"
            ),
            widgets.HBox(list(self.uploads.values())).add_class("mentorkit-people-actions"),
            self.summary,
            self.preview,
            self.report,
            self.notes,
            self.actions,
            self.outcome,
            self.mentor_invites,
        ]

    # -- reading ---------------------------------------------------------------------------

    def _uploaded(self, kind: RosterKind) -> None:
        upload = take_upload(self.uploads[kind])
        if upload is not None:
            self.read_upload(kind, upload)

    def read_upload(self, kind: RosterKind, upload: Upload) -> None:
        """Read an uploaded roster and show what importing it would do; write nothing."""
        self.clear_preview()
        self.outcome.value = self.mentor_invites.value = ""
        name = escape(shown_name(upload.name))
        if len(upload.content) > MAX_UPLOAD_BYTES:
            self._refuse(
                f"'{shown_name(upload.name)}' is {len(upload.content):,} bytes; this page "
                f"takes roster files of at most {MAX_UPLOAD_WORDS}. Split it into smaller "
                "files, or import it with `mentorkit import`. Nothing was imported."
            )
            return
        file = TemporaryUpload(upload)
        try:
            with file as path:
                read = read_roster(kind, path, self.session.workshop)
        except MentorkitError as exc:
            self._refuse(
                f"{file.message(exc)}. Nothing was imported: fix the file and upload it again."
            )
            return
        words = KIND_WORDS[kind]
        valid, skipped = len(read.records), len(read.skipped_rows)
        lines = [
            f"<p><strong>{name}</strong> ({escape(words)}): {read.rows_read} "
            f"row{'s' if read.rows_read != 1 else ''} read, {valid} ready to import"
            + (f", {skipped} with problems (listed below)" if skipped else "")
            + ". Nothing is imported yet.</p>"
        ]
        if not valid:
            lines.append(
                "<p role='alert'>No row can be imported: fix the file and upload it again.</p>"
            )
        elif skipped:
            lines.append(
                f"<p>Import the valid {escape(counted(valid, kind))} now and add the others "
                "later, or fix the rows below in your file and upload it again: a new "
                "upload replaces this preview.</p>"
            )
        else:
            lines.append(
                "<p>Every row is ready. Check the preview, then import; or change the file "
                "and upload it again.</p>"
            )
        self.summary.value = (
            f'<div role="status" class="mentorkit-upload-summary">{"".join(lines)}</div>'
        )
        self.preview.value = preview_html(kind, read.records, self.session.workshop, read.hub_users)
        self.report.value = problems_html(read.problems)
        self.notes.value = notes_html(
            read.ignored_columns, [file.message(Exception(w)) for w in read.warnings]
        )
        if valid:
            self.pending.ask(Preview(kind, upload, valid))
            self.import_button.description = (
                f"Import the {valid} valid row{'s' if valid != 1 else ''}"
            )
            self.import_button.disabled = False
            self.discard.disabled = False
            self.actions.layout.display = "flex"

    def _refuse(self, message: str) -> None:
        self.summary.value = (
            f'<div role="alert" class="mentorkit-error mentorkit-upload-summary"><p>'
            f"{escape(message)}</p></div>"
        )

    def clear_preview(self) -> None:
        """Forget the upload on show: nothing of it can be imported any more."""
        self.pending.withdraw()
        self.import_button.disabled = True
        self.discard.disabled = True
        self.actions.layout.display = "none"
        for part in (self.summary, self.preview, self.report, self.notes):
            part.value = ""

    # -- importing -------------------------------------------------------------------------

    def import_rows(self) -> None:
        """Import the valid rows of the upload on show, through `import_roster` (as
        `mentorkit import --skip-invalid` does): all of them in one transaction, or none."""
        asked = self.pending.take()
        if asked is None:
            return  # no preview on show: a click this page did not offer
        self.clear_preview()
        workshop = self.session.workshop
        file = TemporaryUpload(asked.upload)
        try:
            with file as path:
                outcome = import_roster(
                    self.session.store, workshop, asked.kind, path, skip_invalid=True
                )
        except MentorkitError as exc:
            self.outcome.value = (
                '<div role="alert" class="mentorkit-error"><p>'
                f"{escape(file.message(exc))}. Nothing was imported from "
                f"'{escape(shown_name(asked.upload.name))}'.</p></div>"
            )
            return
        mentor_invites: list[people.MentorInvite] = []
        if asked.kind == "mentors" and outcome.change is not None:
            emails = [getattr(record, "email", "") for record in outcome.read.records]
            mentor_invites = people.invite_new_mentors(self.session.store, workshop.code, emails)
        self.outcome.value = self._outcome_html(asked, outcome)
        self.mentor_invites.value = (
            mentor_invites_html(mentor_invites, self.base) if mentor_invites else ""
        )
        if self.on_change is not None:
            self.on_change()

    def _outcome_html(self, asked: Preview, outcome: RosterOutcome) -> str:
        read, change = outcome.read, outcome.change
        name = escape(shown_name(asked.upload.name))
        if change is None:
            return (
                f'<div role="alert" class="mentorkit-error"><p>{name} holds no row to import '
                "any more; nothing was imported. Upload it again to see why.</p></div>"
            )
        imported = len(read.records)
        unchanged = imported - change.added - change.updated - change.kept
        kept = (
            f", {change.kept} kept the profile they edited themselves (the roster does not "
            "replace it)"
            if change.kept
            else ""
        )
        parts = [
            f"<p>Imported {escape(counted(imported, asked.kind))} from {name} into "
            f"<strong>{escape(self.session.workshop.name)}</strong>: {change.added} added, "
            f"{change.updated} updated, {unchanged} unchanged{kept}.</p>"
        ]
        if read.skipped_rows:
            count = len(read.skipped_rows)
            parts.append(
                f"<p>{count} row{'s were' if count != 1 else ' was'} not imported (see the "
                f"report you saw): fix {'them' if count != 1 else 'it'} and upload the file "
                "again; the rows imported now are then only updated.</p>"
            )
        if outcome.invites:
            count = len(outcome.invites)
            parts.append(
                f"<p>Issued {count} new invite code{'s' if count != 1 else ''}. Download them "
                "now for your mail merge (name, email, invite code): they are not shown "
                f"again.</p><p>{invite_downloads(outcome.invites)}</p>"
            )
        css = "mentorkit-resume mentorkit-import-outcome"
        return f'<div role="status" class="{css}">{"".join(parts)}</div>'


# ---------------------------------------------------------------------------------------
# Downloads


#: The label of each export on the page, as the command line names it.
EXPORT_TITLES: Mapping[str, str] = {
    "mentors": "Mentor roster",
    "participants": "Participant roster",
    "progress": "Progress",
    "responses": "Self-assessment responses",
    "pairs": "Published pairs",
    "plans": "Shared plans",
    "introductions": "Introduction email drafts",
}


def export_links(
    workshop: Workshop,
    participants: list[Participant],
    mentors: list[MentorProfile],
    saved: list[Saved],
    today: date,
) -> str:
    """Every export `mentorkit export` writes, as download links: each table as CSV and
    XLSX, the shared plans as a .zip."""
    code = workshop.code
    items = []
    for kind in exports.EXPORT_KINDS:
        title = EXPORT_TITLES.get(kind, kind)
        if kind == "plans":
            plans = exports.shared_plans(workshop, participants, saved, mentors, today=today)
            if not plans:
                items.append(f"<li>{escape(title)}: no participant shares their plan yet.</li>")
                continue
            with tempfile.TemporaryDirectory(prefix="mentorkit-") as folder:
                path = Path(folder) / "plans.zip"
                count = exports.plan_bundle(path, plans)
                link = download_link(
                    f"plans-{code}.zip",
                    path.read_bytes(),
                    "application/zip",
                    f"{title} ({count}, zip of HTML)",
                )
            items.append(f"<li>{link}</li>")
            continue
        rows, columns = exports.export_table(kind, workshop, participants, mentors, saved, today)
        links = " ".join(
            download_link(
                f"{kind}-{code}{suffix}",
                table_bytes(rows, columns, suffix),
                mime,
                f"{title} ({label})",
            )
            for suffix, mime, label in (_CSV, _XLSX)
        )
        count = len(rows)
        items.append(
            f"<li>{links} <span class='mentorkit-muted'>{count} "
            f"{escape(exports.EXPORT_LABELS[kind])}</span></li>"
        )
    return f'<ul class="mentorkit-downloads mentorkit-exports">{"".join(items)}</ul>'


def backup_bytes(session: FacilitatorSession) -> tuple[bytes, str]:
    """The workshop's backup file, byte for byte what `mentorkit backup` writes, and what
    it holds in words."""
    from mentorkit.backup import backup_workshop

    code = session.workshop.code
    with tempfile.TemporaryDirectory(prefix="mentorkit-backup-") as folder:
        path = Path(folder) / "backup.jsonl"
        _workshop, counts = backup_workshop(session.store, code, path)
        content = path.read_bytes()
    what = (
        f"{counts.mentors} mentors, {counts.participants} participants, {counts.documents} "
        f"worksheets and {counts.revisions} earlier versions"
    )
    return content, what


class DownloadsSection(widgets.VBox):
    """Every export, the backup file and the invite codes sheet, each built when asked.

    `on_change` is called after invite codes were issued (e.g. to redraw the people list);
    `base` is the server's address, for mentors' personal links ('' when it is not known).
    """

    def __init__(
        self,
        session: FacilitatorSession,
        on_change: Callable[[], object] | None = None,
        base: str = "",
    ) -> None:
        super().__init__()
        self.add_class("mentorkit-downloads-section")
        self.session = session
        self.on_change = on_change
        self.base = base
        guard = guarded(session.notice)
        auto = widgets.Layout(width="auto")
        self.prepare_exports = widgets.Button(
            description="Prepare the exports",
            tooltip="Rosters, progress, responses, pairs, shared plans, introductions",
            layout=auto,
        )
        self.exports = widgets.HTML()
        self.prepare_backup = widgets.Button(
            description="Prepare the backup file",
            tooltip="The whole workshop in one file, with everyone's answers",
            layout=auto,
        )
        self.backup = widgets.HTML()
        self.prepare_invites = widgets.Button(
            description="Invite codes for those who have none",
            tooltip="New invite codes for rostered participants who have neither signed in "
            "nor an invite code; no code sent before changes",
            layout=auto,
        )
        self.invites = widgets.HTML()
        self.prepare_mentor_invites = widgets.Button(
            description=PREPARE_MENTOR_INVITES,
            tooltip="New invite codes, with personal links, for mentors who have neither "
            "signed in nor an invite code; no code sent before changes",
            layout=auto,
        )
        self.mentor_invites = widgets.HTML()
        self.prepare_exports.on_click(guard(lambda _button: self.build_exports()))
        self.prepare_backup.on_click(guard(lambda _button: self.build_backup()))
        self.prepare_invites.on_click(guard(lambda _button: self.build_invites()))
        self.prepare_mentor_invites.on_click(guard(lambda _button: self.build_mentor_invites()))
        self.children = [
            widgets.HTML(
                "<h3>Exports</h3><p>What <code>mentorkit export</code> writes: the rosters, "
                "each participant's progress, the self-assessment responses (ratings and "
                "choices, never a note), the published pairs, the plans participants chose "
                "to share, and an introduction email draft per pair. Tables come as CSV and "
                "Excel; a cell a spreadsheet would run as a formula is written as text. "
                "They are made from the data as it is when you press Prepare.</p>"
            ),
            self.prepare_exports,
            self.exports,
            widgets.HTML(
                "<h3>Backup</h3><p>The whole workshop in one file, the same as "
                "<code>mentorkit backup</code>: the rosters, <strong>everyone's answers</strong> "
                "with their earlier versions, and the hashes of their codes. Keep it as safe "
                "as the database; <code>mentorkit restore FILE</code> brings the workshop "
                "back.</p>"
            ),
            self.prepare_backup,
            self.backup,
            widgets.HTML(
                "<h3>Invite codes sheet</h3><p>Invite codes are stored only as hashes, so a "
                "sheet of them means issuing new codes. This button issues codes to the "
                "rostered participants who have neither signed in nor an invite code (no "
                "code sent before changes). To send everyone who has not signed in a new "
                "code (the codes sent before stop working), use 'Invite codes for everyone "
                "not signed in…' under People. Mentors' codes come in a sheet of their own, "
                "with each mentor's personal link to their page.</p>"
            ),
            widgets.HBox([self.prepare_invites, self.prepare_mentor_invites]).add_class(
                "mentorkit-people-actions"
            ),
            self.invites,
            self.mentor_invites,
        ]

    def build_exports(self) -> None:
        """Read the workshop and show every export as a download link."""
        store, code = self.session.store, self.session.workshop.code
        participants, mentors, saved = (
            store.participants(code),
            store.mentors(code),
            store.list(code),
        )
        links = export_links(
            self.session.workshop, participants, mentors, saved, self.session.today
        )
        self.exports.value = f"{links}{_prepared_at()}"

    def build_backup(self) -> None:
        """Write the backup as `mentorkit backup` does and offer it as a download."""
        content, what = backup_bytes(self.session)
        code = self.session.workshop.code
        if len(content) > MAX_PAGE_DOWNLOAD_BYTES:
            self.backup.value = (
                f'<p role="alert">The backup is {len(content) / (1024 * 1024):.0f} MB, too big '
                "to download through this page. On the server, run "
                f"<code>mentorkit backup {escape(code)} FILE</code> instead.</p>"
            )
            return
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
        link = download_link(
            f"backup-{code}-{stamp}.jsonl",
            content,
            "application/octet-stream",
            "Download the backup file",
        )
        self.backup.value = (
            f'<p class="mentorkit-downloads mentorkit-backup">{link} '
            f"<span class='mentorkit-muted'>({len(content):,} bytes: {escape(what)}). It holds "
            f"everyone's answers: keep it safe.</span></p>{_prepared_at()}"
        )

    def build_invites(self) -> None:
        """Issue invite codes to the rostered participants who have none, and offer them
        once as the mail-merge sheet (as `mentorkit people invite` does)."""
        store, code = self.session.store, self.session.workshop.code
        waiting = people.waiting_for_invites(store, code)
        if not waiting:
            self.invites.value = (
                '<p role="status">Every rostered participant has signed in or holds an '
                "invite code already: nobody needs a new one. To send new codes to everyone "
                "not signed in, use People.</p>"
            )
            return
        invites = people.issue_invites(store, code, waiting)
        count = len(invites)
        self.invites.value = (
            f'<div role="status" class="mentorkit-resume"><p>Issued {count} new invite '
            f"code{'s' if count != 1 else ''}. Download them now for your mail merge (name, "
            "email, invite code): they are not shown again.</p>"
            f"<p>{invite_downloads(invites)}</p></div>"
        )
        if self.on_change is not None:
            self.on_change()

    def build_mentor_invites(self) -> None:
        """Issue invite codes to the mentors who have none, and offer them once as the
        mentors' mail-merge sheet (as `mentorkit mentors invite` does)."""
        store, code = self.session.store, self.session.workshop.code
        waiting = people.mentors_waiting_for_invites(store, code)
        if not waiting:
            self.mentor_invites.value = (
                '<p role="status">Every mentor has signed in or holds an invite code already: '
                "nobody needs a new one. A mentor who lost their invitation gets a new code "
                "under People › Mentors.</p>"
            )
            return
        invites = people.issue_mentor_invites(store, code, waiting)
        self.mentor_invites.value = mentor_invites_html(invites, self.base)
        if self.on_change is not None:
            self.on_change()


def _prepared_at() -> str:
    return (
        f'<p class="mentorkit-muted">Prepared {time_html(datetime.now(UTC), seconds=True)}; '
        "press Prepare again for the latest data.</p>"
    )
