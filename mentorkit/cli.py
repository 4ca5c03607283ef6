"""`mentorkit …`: create workshops, import and export rosters, serve the apps.

Every failure a user can cause ends in one plain line on stderr and a non-zero exit
status, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from urllib.parse import quote, urlsplit

from mentorkit import catalog, exports, people, rosters
from mentorkit.access import room_newcomer_limits
from mentorkit.apps import pool_sizes
from mentorkit.backup import backup_workshop, check_backup, restore_backup
from mentorkit.errors import InvalidInput, MentorkitError
from mentorkit.exports import EXPORT_KINDS, EXPORT_LABELS
from mentorkit.identity import reset_mentor_resume_code, reset_resume_code
from mentorkit.jupyter import TOKEN_VARIABLE
from mentorkit.jupyter.capacity import is_loopback
from mentorkit.jupyter.hosts import ALLOWED_HOSTS_VARIABLE, host_of_url
from mentorkit.models import Workshop
from mentorkit.resources import DATA_DIR, NOTEBOOKS_DIR, VOILA_CONFIG
from mentorkit.store import Store, WorkshopCounts, open_store, resolve_database_url
from mentorkit.workshops import (
    WorkshopAccess,
    choose_workshop,
    create_workshop,
    ensure_demo,
    import_roster,
)

#: Voilà's configuration (template, routes, stripped sources); Voilà reads it from the
#: folder it starts in, ROOT: the repository, or the folder that holds it in a wheel.
ROOT = VOILA_CONFIG.parent
#: Holds voila/templates/mentorkit; Voilà finds templates through JUPYTER_PATH.
JUPYTER_DIR = Path(__file__).resolve().parent / "jupyter"

EXIT_USER_ERROR = 1
EXIT_INVALID_ROWS = 3


class UserError(MentorkitError):
    """A problem with how the command was called (a missing file, a busy port)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return EXIT_USER_ERROR
    try:
        status: int = args.run(args)
        return status
    except MentorkitError as exc:
        print(f"mentorkit: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        return 130


def build_parser() -> argparse.ArgumentParser:
    """The `mentorkit` parser with its subcommands."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="database URL (SQLAlchemy), e.g. postgresql+psycopg://user@host/db; "
        "default: $MENTORKIT_DB, else a SQLite file in your user data folder",
    )
    parser = argparse.ArgumentParser(
        prog="mentorkit",
        description="Run mentoring workshops with interactive Jupyter worksheets.",
        parents=[common],
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    init = commands.add_parser(
        "init", parents=[common], help="create a workshop", description="Create a workshop."
    )
    init.add_argument("--name", required=True, help="the workshop's name, shown to participants")
    init.add_argument("--description", default="", help="a sentence or two about the workshop")
    init.add_argument(
        "--framework",
        metavar="FILE",
        type=Path,
        help="competency framework YAML (default: data/competencies.yaml)",
    )
    init.set_defaults(run=_init)

    imp = commands.add_parser(
        "import",
        parents=[common],
        help="import a mentor or participant roster (CSV or XLSX)",
        description="Import a roster. Nothing is imported when any row is invalid, "
        "unless --skip-invalid is given. See docs/rosters.md for the columns.",
    )
    imp.add_argument("kind", choices=["mentors", "participants"], help="which roster")
    imp.add_argument("file", type=Path, help="a .csv, .tsv, .txt or .xlsx file")
    _workshop_option(imp)
    imp.add_argument(
        "--skip-invalid",
        action="store_true",
        help="import the valid rows and list the skipped ones",
    )
    imp.add_argument(
        "--invites",
        metavar="FILE",
        type=Path,
        help="where to write the new participants' invite codes for a mail merge (.csv or "
        ".xlsx; default: invites-CODE.csv beside the roster file, never overwriting a file); "
        "mentors' codes are issued with `mentorkit mentors invite`",
    )
    imp.set_defaults(run=_import)

    exp = commands.add_parser(
        "export",
        parents=[common],
        help="export rosters, progress, responses, pairs, plans or introductions",
        description="Export workshop data. mentors, participants: the rosters; progress: "
        "each participant's progress through the worksheets; responses: self-assessment "
        "answers (ratings and choices, no notes); pairs: the published mentor matches; "
        "plans: a .zip of the plans participants chose to share; introductions: an email "
        "draft per published pair. Tables are CSV or XLSX; cells a spreadsheet would read "
        "as a formula are written as text.",
    )
    exp.add_argument("kind", choices=EXPORT_KINDS, help="what to export")
    exp.add_argument(
        "-o",
        "--output",
        type=Path,
        help="a .csv or .xlsx file, or a .zip for plans (default: KIND-CODE.csv, plans-CODE.zip)",
    )
    _workshop_option(exp)
    exp.set_defaults(run=_export)

    demo = commands.add_parser(
        "demo",
        parents=[common],
        help="create the demo workshop (first run) and print its codes",
        description="Create a demo workshop with the sample mentors and participants, "
        "or reuse it, and print its join code and a fresh facilitator key.",
    )
    demo.set_defaults(run=_demo)

    backup = commands.add_parser(
        "backup",
        parents=[common],
        help="back up a workshop to one file",
        description="Write one file (JSON Lines) holding a workshop: its framework, the hash "
        "of its facilitator key, the mentors, the participants with the hashes of their "
        "resume codes, and every worksheet with its whole history. The file holds everyone's "
        "answers: keep it as safe as the database. See docs/data.md.",
    )
    backup.add_argument("code", metavar="CODE", help="the workshop's join code")
    backup.add_argument(
        "file", metavar="FILE", type=Path, help="the file to write, e.g. CODE.jsonl"
    )
    backup.add_argument("--overwrite", action="store_true", help="replace FILE if it exists")
    backup.set_defaults(run=_backup)

    restore = commands.add_parser(
        "restore",
        parents=[common],
        help="restore a workshop from a backup file",
        description="Restore a workshop from a file `mentorkit backup` wrote, into a database "
        "that does not have that workshop. All or nothing: a damaged file restores nothing. "
        "Participants go on with their resume codes, the facilitator with their key.",
    )
    restore.add_argument("file", metavar="FILE", type=Path, help="the backup file")
    restore.add_argument(
        "--check", action="store_true", help="only read and check the whole file; write nothing"
    )
    restore.set_defaults(run=_restore)

    delete = commands.add_parser(
        "delete-workshop",
        parents=[common],
        help="delete a workshop and everything in it",
        description="Delete a workshop for good: its rosters and every worksheet with its "
        "history. Asks you to type the join code to confirm, unless --yes is given.",
    )
    delete.add_argument("code", metavar="CODE", help="the workshop's join code")
    delete.add_argument("--yes", action="store_true", help="do not ask; delete at once")
    delete.set_defaults(run=_delete_workshop)

    _people_parser(commands, common)
    _mentors_parser(commands, common)
    _hub_parser(commands, common)

    serve = commands.add_parser(
        "serve",
        parents=[common],
        help="serve the apps with Voilà",
        description="Serve the workshop apps (notebooks/) as web pages with Voilà.",
    )
    serve.add_argument("--port", type=int, default=8866, help="port (default 8866)")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine)"
    )
    serve.add_argument(
        "--token",
        default=os.environ.get(TOKEN_VARIABLE, ""),
        help="require this token: people open the printed link (which carries ?token=…) "
        f"once, and their browser keeps it; default: ${TOKEN_VARIABLE} (which, unlike "
        "the command line, other users of the machine cannot list), else no token",
    )
    serve.add_argument(
        "--public-url",
        metavar="URL",
        default="",
        help="the address people open when the server is reached through another name, "
        "e.g. https://workshop.example.org/ behind a proxy: its host name is served too (the "
        "server answers only to 127.0.0.1, localhost, [::1], --host and this name) and the "
        "printed link uses it",
    )
    serve.add_argument("--open", action="store_true", help="open a browser tab")
    serve.add_argument(
        "--cull-idle",
        metavar="SECONDS",
        type=_seconds(minimum=1),
        help="shut down the kernel of a tab that has been gone this long (closed without "
        "a goodbye, a laptop asleep, the network lost); a connected tab is never cut off; "
        "default: voila.json's 900 (15 minutes)",
    )
    serve.add_argument(
        "--page-timeout",
        metavar="SECONDS",
        type=_seconds(minimum=0),
        help="a page not open after this long says it is taking too long and offers to "
        "reload; 0: wait for ever; default: voila.json's 60",
    )
    serve.add_argument(
        "--expect",
        metavar="PEOPLE",
        type=_count(minimum=1),
        help="the size of the room that opens the link together: keep a started kernel "
        "ready for each of them (about 90 MB of memory each), which they use for every "
        "worksheet once signed in, and let that many join by name at once, even from one "
        "address; default: one",
    )
    _kernel_limit_options(serve)
    serve.set_defaults(run=_serve)
    return parser


def _kernel_limit_options(serve: argparse.ArgumentParser) -> None:
    """`serve`'s limits on page kernels (`mentorkit.jupyter.capacity`; docs/serving.md)."""
    serve.add_argument(
        "--max-kernels",
        metavar="N",
        type=_whole_number(0, too="small"),
        help="open worksheet pages the server holds at most (each has a kernel, about 90 MB); "
        "beyond it a page says the workshop is full; 0: no limit; default: twice --expect "
        "plus 10, at least 40",
    )
    serve.add_argument(
        "--max-kernels-per-client",
        metavar="M",
        type=_whole_number(0, too="small"),
        help="open worksheet pages one client address holds at most (a room behind one "
        "router, or a proxy, is one address); 0: no limit; default: 4, none when --host is "
        "a loopback address (everyone then has the same address)",
    )
    serve.add_argument(
        "--reclaim-unconnected",
        metavar="SECONDS",
        type=_seconds(minimum=0),
        help="shut down the kernel of a page that has not connected to it this long after "
        "it was sent (a plain request, not a browser); 0: never; default: 60",
    )


def _people_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """`mentorkit people list|invite|reset|merge|remove`."""
    group = commands.add_parser(
        "people",
        parents=[common],
        help="list participants, issue invite codes, reset a resume code, merge two "
        "participants, remove one",
        description="Look after a workshop's participants. Name a participant by their "
        "name, email or id (as `mentorkit people list` shows them). The Cohort dashboard "
        "does the same under People.",
    )
    group.set_defaults(run=lambda _args: _help(group))
    actions = group.add_subparsers(title="actions", metavar="ACTION")

    listed = actions.add_parser(
        "list",
        parents=[common],
        help="list the participants",
        description="List the participants: name, email, whether they signed in or hold an "
        "invite code, how many worksheets they saved, and their id. Those who joined on the "
        "day (with the join code and a name) are marked: a rostered person among them is on "
        "the list twice; merge them.",
    )
    _workshop_option(listed)
    listed.set_defaults(run=_people_list)

    invite = actions.add_parser(
        "invite",
        parents=[common],
        help="issue invite codes and write them to a mail-merge file",
        description="Issue invite codes and write name, email and invite code to a file for a "
        "mail merge: the codes are stored only hashed, so this file is the only place they "
        "exist. A participant claims their place on the list with their code (once). "
        "Without PARTICIPANT: every rostered participant who has not signed in yet and has "
        "no code (imports issue codes themselves); with --again, also those who have one. "
        "A new code replaces the old one, which stops working.",
    )
    _invite_arguments(
        invite, who="PARTICIPANT", who_help="their name, email or id", sheet=PEOPLE_SHEET
    )
    invite.set_defaults(run=_people_invite)

    reset = actions.add_parser(
        "reset",
        parents=[common],
        help="give a participant a new resume code (printed once)",
        description="Give a participant a new resume code and print it: hand it to them, it "
        "is not shown again. Their old code stops working at once, also in browsers that "
        "stayed signed in with it. Their answers are kept.",
    )
    reset.add_argument("who", metavar="PARTICIPANT", help="their name, email or id")
    _workshop_option(reset)
    reset.set_defaults(run=_people_reset)

    merge = actions.add_parser(
        "merge",
        parents=[common],
        help="merge a participant who is on the list twice into one",
        description="Move every worksheet of OTHER to KEEP and take OTHER off the list. "
        "Goals and check-ins are numbered after KEEP's own; a worksheet both have keeps the "
        "version saved last, and the other stays in its history. KEEP keeps their name and "
        "resume code (and takes OTHER's email if they have none); OTHER's code stops "
        "working. Asks you to type 'merge' to confirm, unless --yes is given.",
    )
    merge.add_argument("keep", metavar="KEEP", help="the participant kept: name, email or id")
    merge.add_argument("other", metavar="OTHER", help="the participant merged into KEEP")
    merge.add_argument("--yes", action="store_true", help="do not ask; merge at once")
    _workshop_option(merge)
    merge.set_defaults(run=_people_merge)

    remove = actions.add_parser(
        "remove",
        parents=[common],
        help="remove a participant and everything they saved",
        description="Remove a participant for good: their place on the list, their resume "
        "code, and every worksheet with all its saved versions (as 'Delete my data' in My "
        "plan does). Asks you to type 'remove' to confirm, unless --yes is given.",
    )
    remove.add_argument("who", metavar="PARTICIPANT", help="their name, email or id")
    remove.add_argument("--yes", action="store_true", help="do not ask; remove at once")
    _workshop_option(remove)
    remove.set_defaults(run=_people_remove)


def _mentors_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """`mentorkit mentors invite|reset-code`."""
    group = commands.add_parser(
        "mentors",
        parents=[common],
        help="issue mentors' invite codes, reset a mentor's resume code",
        description="Look after a workshop's mentors' sign-in. Name a mentor by their email "
        "(or their name). The Workshop setup app does the same under Downloads and People.",
    )
    group.set_defaults(run=lambda _args: _help(group))
    actions = group.add_subparsers(title="actions", metavar="ACTION")

    invite = actions.add_parser(
        "invite",
        parents=[common],
        help="issue mentors' invite codes and write them to a mail-merge file",
        description="Issue mentors' invite codes and write name, email, invite code and "
        "personal link to a file for a mail merge: the codes are stored only hashed, so this "
        "file is the only place they exist. The personal link opens the mentor's page and "
        "signs the mentor in (once). Without MENTOR: every mentor who has not signed in yet "
        "and has no code; with --again, also those who have one. A new code replaces the "
        "old one, which stops working.",
    )
    _invite_arguments(
        invite, who="MENTOR", who_help="their email or name", sheet=MENTOR_SHEET, base=True
    )
    invite.set_defaults(run=_mentors_invite)

    reset = actions.add_parser(
        "reset-code",
        parents=[common],
        help="give a mentor a new resume code (printed once)",
        description="Give a mentor a new resume code and print it: hand it to them, it is "
        "not shown again. Their old code, and an invite code not used yet, stop working at "
        "once, also in browsers that stayed signed in with it. Their profile is kept.",
    )
    reset.add_argument("who", metavar="EMAIL", help="the mentor's email (or name)")
    _workshop_option(reset)
    reset.set_defaults(run=_mentors_reset_code)


def _invite_arguments(
    invite: argparse.ArgumentParser, *, who: str, who_help: str, sheet: str, base: bool = False
) -> None:
    """The arguments `mentorkit people invite` and `mentorkit mentors invite` share, added
    in one place so that both commands take and describe them alike: whom to invite (shown
    as `who`, the name the command's description uses, and described by `who_help`),
    --again, -o/--output (by default `sheet`-CODE.csv), --base when the file holds personal
    links, and --workshop."""
    invite.add_argument("who", metavar=who, nargs="*", help=f"{who_help} (default: see above)")
    invite.add_argument(
        "--again",
        action="store_true",
        help="also replace the codes of those who have one but have not signed in yet",
    )
    invite.add_argument(
        "-o",
        "--output",
        type=Path,
        help=f"a .csv or .xlsx file (default: {sheet}-CODE.csv, never overwriting a file)",
    )
    if base:
        _base_option(invite)
    _workshop_option(invite)


def _base_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--base",
        metavar="URL",
        default="",
        help="the address the apps are served at, e.g. https://workshop.example.org/, put in "
        "front of each mentor's personal link (default: links relative to that address)",
    )


def _hub_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """`mentorkit hub prepare-database`."""
    group = commands.add_parser(
        "hub",
        parents=[common],
        help="prepare the database of a shared JupyterHub",
        description="Look after the PostgreSQL database of a JupyterHub deployment "
        "(deploy/jupyterhub; docs/hub-database.md).",
    )
    group.set_defaults(run=lambda _args: _help(group))
    actions = group.add_subparsers(title="actions", metavar="ACTION")
    prepare = actions.add_parser(
        "prepare-database",
        parents=[common],
        help="create the roles, grants and row-level security the hub relies on",
        description="Create or upgrade the tables, then the participant and facilitator "
        "group roles, their grants and the row-level security policies, so that each "
        "participant's server reaches only that participant's rows and no server reads a "
        "key hash. Safe to run again. --db (or $MENTORKIT_HUB_ADMIN_DB, else $MENTORKIT_DB) "
        "must be the PostgreSQL role that owns the tables. The hub also does this when it "
        "starts its first server.",
    )
    prepare.add_argument(
        "--role-prefix",
        default=os.environ.get("MENTORKIT_HUB_ROLE_PREFIX", "").strip() or "mentorkit_",
        help="start of the role and policy names (default: $MENTORKIT_HUB_ROLE_PREFIX, "
        "else mentorkit_)",
    )
    prepare.set_defaults(run=_hub_prepare_database)


def _hub_prepare_database(args: argparse.Namespace) -> int:
    from mentorkit import pg_access

    url = getattr(args, "db", None) or os.environ.get("MENTORKIT_HUB_ADMIN_DB", "").strip()
    names = pg_access.prepare_database(resolve_database_url(url), args.role_prefix)
    print(
        f"Prepared: participants' roles join {names.participant}, mentors' roles "
        f"{names.mentor} (and {names.participant}), facilitators' roles "
        f"{names.facilitator}; row-level security is on."
    )
    return 0


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return EXIT_USER_ERROR


def _people_list(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        workshop = choose_workshop(store, args.workshop)
        found = people.people(store, workshop.code)
    finally:
        store.close()
    print(f"{len(found)} participants of '{workshop.name}' ({workshop.code}):")
    for summary in found:
        person = summary.participant
        joined = " (joined on the day)" if summary.joined_on_the_day else ""
        print(
            f"  {person.name}{joined}  <{person.email or 'no email'}>  "
            f"{summary.sign_in_state}, {summary.documents} worksheets  id {person.id}"
        )
    return 0


def _people_invite(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        workshop = choose_workshop(store, args.workshop)
        if args.who:
            chosen = [people.find_person(store, workshop.code, who) for who in args.who]
        else:
            chosen = people.waiting_for_invites(store, workshop.code, again=args.again)
        if not chosen:
            print(
                "Nobody to invite: every rostered participant has signed in or has an invite "
                "code (pass --again to replace the codes not used yet)."
            )
            return 0
        output = _invites_file(args.output, workshop.code)
        invites = people.issue_invites(store, workshop.code, chosen)
        _write_invites(invites, output)
    finally:
        store.close()
    print(f"Issued {len(invites)} invite codes; wrote them to {output}.")
    return 0


def _mentors_invite(args: argparse.Namespace) -> int:
    base = base_url_of(args.base)
    store = _open(args)
    try:
        workshop = choose_workshop(store, args.workshop)
        if args.who:
            chosen = [people.find_mentor(store, workshop.code, who) for who in args.who]
        else:
            chosen = people.mentors_waiting_for_invites(store, workshop.code, again=args.again)
        if not chosen:
            print(
                "Nobody to invite: every mentor has signed in or has an invite code (pass "
                "--again to replace the codes not used yet)."
            )
            return 0
        output = _invites_file(args.output, workshop.code, stem=MENTOR_SHEET)
        invites = people.issue_mentor_invites(store, workshop.code, chosen)
        _write_mentor_invites(invites, output, base)
    finally:
        store.close()
    print(
        f"Issued {len(invites)} mentor invite codes; wrote them, with each mentor's personal "
        f"link, to {output}.{_relative_links_note(base)}"
    )
    return 0


def _mentors_reset_code(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        workshop = choose_workshop(store, args.workshop)
        mentor = people.find_mentor(store, workshop.code, args.who)
        code = reset_mentor_resume_code(store, workshop.code, mentor.email)
    finally:
        store.close()
    print(f"New resume code for {mentor.name} ({mentor.email}): {code}")
    print("Give it to them; it is not shown again. Their old code no longer works.")
    return 0


#: The stem of the participants' mail-merge file (invites-CODE.csv).
PEOPLE_SHEET = "invites"
#: The stem of the mentors' mail-merge file (mentor-invites-CODE.csv).
MENTOR_SHEET = "mentor-invites"


def base_url_of(url: str) -> str:
    """`--base` as put in front of a personal link (ending in '/'), '' when not given; an
    address that is not http(s) is a UserError saying what to give instead."""
    url = url.strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.query or parts.fragment:
        raise UserError(
            f"--base '{url}' is not the address of the apps: give the http:// or https:// "
            "address people open, such as https://workshop.example.org/"
        )
    return url if url.endswith("/") else url + "/"


def _relative_links_note(base: str) -> str:
    return (
        ""
        if base
        else " The links are relative: pass --base with the address the apps are served at "
        "for links that open with a click."
    )


def _invites_file(
    chosen: Path | None, code: str, folder: Path = Path(), *, stem: str = PEOPLE_SHEET
) -> Path:
    """Where invite codes go: the file asked for, else STEM-CODE.csv in `folder`, or -2,
    -3 … when that exists (a file of codes still in use is never overwritten)."""
    if chosen is not None:
        if chosen.suffix.lower() not in {".csv", ".xlsx"}:
            raise UserError(f"{chosen}: choose a file name ending in .csv or .xlsx")
        return chosen
    path = folder / f"{stem}-{code}.csv"
    number = 1
    while path.exists():
        number += 1
        path = folder / f"{stem}-{code}-{number}.csv"
    return path


def _write_invites(invites: Sequence[people.Invite], output: Path) -> None:
    """Write the participants' mail-merge table (see `_write_sheet`)."""
    _write_sheet(
        people.invites_table(invites),
        people.INVITE_COLUMNS,
        output,
        "mentorkit people invite --again -o FILE",
    )


def _write_mentor_invites(invites: Sequence[people.MentorInvite], output: Path, base: str) -> None:
    """Write the mentors' mail-merge table (see `_write_sheet`)."""
    _write_sheet(
        people.mentor_invites_table(invites, base),
        people.MENTOR_INVITE_COLUMNS,
        output,
        "mentorkit mentors invite --again -o FILE",
    )


def _write_sheet(
    rows: Sequence[dict[str, object]], columns: Sequence[str], output: Path, again: str
) -> None:
    """Write a mail-merge table of codes; they are issued already, so on failure say so and
    how to issue them again (the command `again`)."""
    try:
        rosters.write_table(rows, columns, output)
    except MentorkitError as exc:
        raise UserError(
            f"{exc}. The invite codes were issued but could not be saved: issue them again "
            f"with `{again}`."
        ) from None


def _people_reset(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        workshop = choose_workshop(store, args.workshop)
        person = people.find_person(store, workshop.code, args.who)
        code = reset_resume_code(store, workshop.code, person.id)
    finally:
        store.close()
    print(f"New resume code for {person.name}: {code}")
    print("Give it to them; it is not shown again. Their old code no longer works.")
    return 0


def _people_merge(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        workshop = choose_workshop(store, args.workshop)
        keep = people.find_person(store, workshop.code, args.keep)
        other = people.find_person(store, workshop.code, args.other)
        if keep.id == other.id:
            raise UserError(f"KEEP and OTHER are the same participant ({keep.name})")
        what = (
            f"{other.name} ({other.email or 'no email'}) into {keep.name} "
            f"({keep.email or 'no email'}): {other.name}'s worksheets move to {keep.name}, "
            f"and {other.name} leaves the list"
        )
        if not args.yes:
            _confirm_word("merge", f"This merges {what}. It cannot be undone.")
        counts = people.merge_people(store, workshop.code, keep, other)
    finally:
        store.close()
    print(
        f"Merged {other.name} into {keep.name}: {people.worksheets_counted(counts.moved)} moved, "
        f"{counts.combined} both had (the version saved last is kept, the other is in its "
        "history)."
    )
    return 0


def _people_remove(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        workshop = choose_workshop(store, args.workshop)
        person = people.find_person(store, workshop.code, args.who)
        if not args.yes:
            _confirm_word(
                "remove",
                f"This removes {person.name} ({person.email or 'no email'}) from "
                f"'{workshop.name}' for good, with every worksheet they saved. It cannot be "
                f"undone; to keep a copy, first run: mentorkit backup {workshop.code} FILE",
            )
        people.remove_person(store, workshop.code, person)
    finally:
        store.close()
    print(f"Removed {person.name} and everything they saved.")
    return 0


def _confirm_word(word: str, warning: str) -> None:
    """Ask for `word` on the terminal; anything else (or no answer) changes nothing."""
    print(warning, file=sys.stderr)
    print(f"Type {word} to confirm: ", end="", file=sys.stderr, flush=True)
    answer = sys.stdin.readline()
    if not sys.stdin.isatty():
        print(file=sys.stderr)
    if answer.strip().casefold() != word:
        raise UserError(f"nothing was changed: type {word} when asked to confirm, or pass --yes")


def _whole_number(
    minimum: int, *, of: str = "", too: str = "small", unit: str = ""
) -> Callable[[str], int]:
    """An argparse type: a whole number (`of` " of seconds") at least `minimum`."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number{of}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{value} is too {too}: at least {minimum}{unit}")
        return value

    return parse


def _seconds(minimum: int) -> Callable[[str], int]:
    """A whole number of seconds, at least `minimum`."""
    return _whole_number(minimum, of=" of seconds", too="short", unit=" s")


def _count(minimum: int) -> Callable[[str], int]:
    """A whole number of people, at least `minimum`."""
    return _whole_number(minimum, too="few")


def _workshop_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workshop",
        metavar="CODE",
        help="the workshop's join code (may be left out when the database holds one)",
    )


def _open(args: argparse.Namespace) -> Store:
    return open_store(getattr(args, "db", None))


def _print_access(access: WorkshopAccess) -> None:
    print(f"Workshop:        {access.workshop.name}")
    print(f"Join code:       {access.workshop.code}   (give this to participants)")
    print(f"Facilitator key: {access.facilitator_key}   (keep it; it is not shown again)")
    if access.sample_invite is not None:
        print(
            f"Invite code:     {access.sample_invite.code}   (try signing in as "
            f"{access.sample_invite.participant.name}, from the sample roster)"
        )


def _init(args: argparse.Namespace) -> int:
    framework = catalog.load_framework(args.framework) if args.framework else None
    store = _open(args)
    try:
        access = create_workshop(
            store, args.name, framework=framework, description=args.description
        )
    finally:
        store.close()
    _print_access(access)
    return 0


def _import(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        workshop = choose_workshop(store, args.workshop)
        invites_file = _invites_file(args.invites, workshop.code, Path(args.file).parent)
        outcome = import_roster(
            store, workshop, args.kind, args.file, skip_invalid=args.skip_invalid
        )
        uninvited = (
            len(people.mentors_waiting_for_invites(store, workshop.code))
            if args.kind == "mentors" and outcome.change is not None
            else 0
        )
    finally:
        store.close()
    read = outcome.read
    # The warnings name the ignored columns too (with the accepted ones), so they are not
    # listed again here.
    for warning in read.warnings:
        print(f"note: {warning}", file=sys.stderr)
    if outcome.change is None and read.problems:
        rows = len(read.skipped_rows)
        print(
            f"mentorkit: {args.file}: {rows} invalid row{'s' if rows != 1 else ''}; "
            "nothing was imported.",
            file=sys.stderr,
        )
        for problem in read.problems:
            print(f"  {problem}", file=sys.stderr)
        if read.records and not args.skip_invalid:
            print(
                f"Fix the rows and import again, or pass --skip-invalid to import the "
                f"{len(read.records)} valid row(s).",
                file=sys.stderr,
            )
        return EXIT_INVALID_ROWS
    if outcome.change is None:
        print(f"{args.file}: no rows to import.")
        return 0
    change = outcome.change
    unchanged = len(read.records) - change.added - change.updated - change.kept
    kept = f", {change.kept} kept the profile they edited themselves" if change.kept else ""
    print(
        f"Imported {len(read.records)} {args.kind} into '{workshop.name}' ({workshop.code}): "
        f"{change.added} added, {change.updated} updated, {unchanged} unchanged{kept}."
    )
    if uninvited:
        print(
            f"{uninvited} mentor{'s have' if uninvited != 1 else ' has'} no invite code yet: "
            "issue them, with each mentor's personal link, with `mentorkit mentors invite "
            "--base URL`."
        )
    if outcome.invites:
        _write_invites(outcome.invites, invites_file)
        print(
            f"Issued {len(outcome.invites)} invite codes; wrote them to {invites_file} for a "
            "mail merge (name, email, invite code). Keep the file safe: each code signs in "
            "its participant once, and the codes are not shown again."
        )
    if read.problems:
        print(f"Skipped {len(read.skipped_rows)} invalid row(s):")
        for problem in read.problems:
            print(f"  {problem}")
    return 0


def _export(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        workshop = choose_workshop(store, args.workshop)
        code = workshop.code
        people = store.participants(code)
        mentors = store.mentors(code)
        saved = store.list(code) if args.kind not in {"mentors", "participants"} else []
    finally:
        store.close()
    today = date.today()
    output = args.output or Path(
        f"plans-{code}.zip" if args.kind == "plans" else f"{args.kind}-{code}.csv"
    )
    if args.kind == "plans":
        plans = exports.shared_plans(workshop, people, saved, mentors, today=today)
        if not plans:
            print("No participant shares their plan yet; nothing was written.")
            return 0
        count = exports.plan_bundle(output, plans)
        print(f"Wrote {count} shared plan{'s' if count != 1 else ''} to {output}")
        return 0
    rows, columns = exports.export_table(args.kind, workshop, people, mentors, saved, today)
    exports.write_rows(rows, columns, output)
    print(f"Wrote {len(rows)} {EXPORT_LABELS[args.kind]} to {output}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        access = ensure_demo(store)
    except InvalidInput as exc:
        raise MentorkitError(f"the sample data in {DATA_DIR} is invalid: {exc}") from None
    finally:
        store.close()
    _print_access(access)
    return 0


def _counted(counts: WorkshopCounts) -> str:
    return (
        f"{counts.mentors} mentors, {counts.participants} participants, "
        f"{counts.documents} worksheets with {counts.revisions} saved versions, "
        f"{counts.decisions} matching decisions (locked or forbidden pairs), "
        f"{counts.mentor_surveys} mentors' survey answers"
    )


def _backup(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        workshop, counts = backup_workshop(store, args.code, args.file, overwrite=args.overwrite)
    finally:
        store.close()
    print(f"Backed up '{workshop.name}' ({workshop.code}) to {args.file}: {_counted(counts)}.")
    print("The file holds everyone's answers: keep it as safe as the database.")
    return 0


def _restore(args: argparse.Namespace) -> int:
    if args.check:
        workshop, counts = check_backup(args.file)
        print(
            f"{args.file} is a complete backup of '{workshop.name}' ({workshop.code}): "
            f"{_counted(counts)}. Nothing was written."
        )
        return 0
    store = _open(args)
    try:
        workshop, counts = restore_backup(store, args.file)
    finally:
        store.close()
    print(f"Restored '{workshop.name}' ({workshop.code}): {_counted(counts)}.")
    print("Participants go on with their resume codes, the facilitator with their key.")
    return 0


def _delete_workshop(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        with store.read_workshop(args.code) as snapshot:
            workshop = snapshot.workshop
            what = (
                f"{len(snapshot.mentors)} mentors, {len(snapshot.participants)} participants "
                f"and {len(snapshot.documents)} worksheets with all their saved versions"
            )
            more = []
            if snapshot.decisions:
                more.append(f"{len(snapshot.decisions)} matching decisions")
            if snapshot.mentor_surveys:
                more.append(f"{len(snapshot.mentor_surveys)} mentors' survey answers")
            if more:
                what += ", and " + " and ".join(more)
        if not args.yes:
            _confirm_deletion(workshop, what)
        store.delete_workshop(workshop.code)
    finally:
        store.close()
    print(f"Deleted '{workshop.name}' ({workshop.code}): {what}.")
    return 0


def _confirm_deletion(workshop: Workshop, what: str) -> None:
    """Ask for the join code on the terminal; anything else (or no answer) deletes nothing."""
    print(
        f"This deletes the workshop '{workshop.name}' ({workshop.code}) for good: {what}. "
        "It cannot be undone; to keep a copy, first run: "
        f"mentorkit backup {workshop.code} FILE",
        file=sys.stderr,
    )
    print("Type the join code to confirm: ", end="", file=sys.stderr, flush=True)
    answer = sys.stdin.readline()
    if not sys.stdin.isatty():
        print(file=sys.stderr)  # what was piped in is not echoed: end the prompt's line
    if not answer:
        raise UserError(
            "no confirmation was typed, so nothing was deleted; type the join code when "
            "asked, or pass --yes"
        )
    if answer.strip().upper() != workshop.code:
        raise UserError(
            f"'{answer.strip()}' is not the join code {workshop.code}, so nothing was deleted"
        )


def _serve(args: argparse.Namespace) -> int:
    """Run Voilà on notebooks/ with the repository's voila.json (see `serve_command`)."""
    url = resolve_database_url(getattr(args, "db", None))
    store = open_store(url)  # fail here, with a clear message, rather than in every kernel
    try:
        workshop_name = served_workshop_name(store)
    finally:
        store.close()
    if not VOILA_CONFIG.is_file():
        raise UserError(
            f"{VOILA_CONFIG} is missing: mentorkit is not completely installed; install it "
            "again (pip install --force-reinstall mentorkit)"
        )
    public_url = public_url_of(args.public_url)
    _check_port_free(args.host, args.port)
    if not is_loopback(args.host) and not args.token:
        print(
            f"warning: serving on {args.host}: anyone who can reach this address can open "
            "the apps. Put a token (--token) or JupyterHub in front of it.",
            file=sys.stderr,
        )
    display_host = f"[{args.host}]" if ":" in args.host else args.host
    query = f"?token={quote(args.token, safe='')}" if args.token else ""
    print(f"Serving mentorkit at {public_url or f'http://{display_host}:{args.port}/'}{query}")
    print("Press Ctrl+C to stop.", flush=True)
    env = {**serve_env(url, args.token), "VOILA_APP_IP": kernel_app_ip(args.host)}
    if public_url:
        env[ALLOWED_HOSTS_VARIABLE] = host_of_url(public_url)
    if args.expect:
        env.update(room_newcomer_limits(args.expect, env))
    command = serve_command(
        args.host,
        args.port,
        args.open,
        cull_idle=args.cull_idle,
        page_timeout=args.page_timeout,
        expect=args.expect,
        workshop_name=workshop_name,
        max_kernels=args.max_kernels,
        max_kernels_per_client=args.max_kernels_per_client,
        reclaim_unconnected=args.reclaim_unconnected,
    )
    return run_server(command, env)


#: Seconds the server has to stop (shutting every kernel down) after being asked to, before
#: it is killed.
STOP_GRACE_SECONDS = 20


def run_server(command: list[str], env: dict[str, str]) -> int:
    """Run the Voilà server `command` in ROOT until it ends, and stop it, with its kernels,
    when this process is asked to stop: Ctrl+C (which the terminal also sends the server
    itself), SIGTERM (`kill`, systemd, Docker) or SIGHUP (a closed terminal). The server is
    sent SIGTERM, which mentorkit.jupyter.launch treats as Ctrl+C; one that has not ended
    within STOP_GRACE_SECONDS is killed (its kernels then notice their parent is gone and
    end too). A stop asked for ends with status 0 and a line saying the server stopped."""
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    asked: list[float] = []

    def stop(signum: int, frame: object) -> None:
        if not asked:
            asked.append(time.monotonic())
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)

    stop_signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {signum: signal.signal(signum, stop) for signum in stop_signals}
    try:
        while True:
            try:
                status = process.wait(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                if asked and time.monotonic() - asked[0] > STOP_GRACE_SECONDS:
                    process.kill()
                    status = process.wait()
                    _say(
                        f"The server did not stop within {STOP_GRACE_SECONDS} s and was "
                        "killed; its kernels end as they notice."
                    )
                    break
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if asked:
        _say("mentorkit has stopped.")
    return 0 if asked else status


def _say(line: str) -> None:
    """Print `line` if there is still somewhere to print it: after SIGHUP the terminal may
    be gone, and the stop still ends with status 0."""
    with contextlib.suppress(OSError):
        print(line, flush=True)


def public_url_of(url: str) -> str:
    """`--public-url` as printed (ending in '/'), empty when not given; a URL that is not
    an http(s) address of the apps' root is a UserError saying what to give instead."""
    url = url.strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if not host_of_url(url) or parts.path not in {"", "/"} or parts.query or parts.fragment:
        raise UserError(
            f"--public-url '{url}' is not the address of the apps: give the http:// or "
            "https:// address people open, such as https://workshop.example.org/ (the "
            "apps are served at its root, without a path)"
        )
    return f"{parts.scheme}://{parts.netloc}/"


def serve_command(
    host: str,
    port: int,
    open_browser: bool = False,
    *,
    cull_idle: int | None = None,
    page_timeout: int | None = None,
    expect: int | None = None,
    workshop_name: str | None = None,
    max_kernels: int | None = None,
    max_kernels_per_client: int | None = None,
    reclaim_unconnected: int | None = None,
) -> list[str]:
    """The Voilà command `mentorkit serve` runs, in ROOT so that Voilà reads voila.json.

    Only what changes from one run to the next is given here; everything that makes the
    apps what they are (template, routes, stripped sources, kernel culling, the page
    timeout) is in voila.json, so that `voila notebooks/` started in the repository serves
    them the same way. `cull_idle` and `page_timeout` (seconds) override voila.json's;
    `expect` (people) sizes the pre-heated kernel pools (`mentorkit.apps.pool_sizes`);
    `workshop_name` is shown on every page while it opens. `max_kernels` and
    `max_kernels_per_client` limit the page kernels (None: `default_caps` for `expect` and
    `host`), `reclaim_unconnected` (seconds) overrides the kernel manager's.
    """
    command = [
        sys.executable,
        "-m",
        "mentorkit.jupyter.launch",  # Voilà, with the token out of every kernel's reach
        str(NOTEBOOKS_DIR),
        f"--Voila.ip={host}",
        f"--Voila.port={port}",
        "--Voila.port_retries=0",
        f"--Voila.open_browser={open_browser}",
    ]
    if cull_idle is not None:
        # The culler looks every `interval` seconds, so a kernel goes within
        # cull_idle + interval: a quarter of the timeout, at most voila.json's minute.
        interval = max(1, min(60, cull_idle // 4))
        command += [
            f"--MappingKernelManager.cull_idle_timeout={cull_idle}",
            f"--MappingKernelManager.cull_interval={interval}",
        ]
    resources: dict[str, object] = {}
    if page_timeout is not None:
        resources["mentorkit_page_timeout"] = page_timeout
    if workshop_name:
        resources["mentorkit_workshop_name"] = workshop_name
    if resources:
        # Read by the page template (mentorkit/jupyter/voila/templates/mentorkit). A
        # resource given on the command line replaces voila.json's whole `resources`, so
        # voila.json's are given again, under the ones set here.
        for key, value in {**_voila_json_resources(), **resources}.items():
            command.append(f"--VoilaConfiguration.resources={key}={value}")
    pools = {name: {"pool_size": size} for name, size in pool_sizes(expect or 1).items()}
    pools["default"] = {"pool_size": 1}
    command.append(f"--VoilaKernelManager.kernel_pools_config={json.dumps(pools)}")
    command += _kernel_limits(host, expect, max_kernels, max_kernels_per_client)
    if reclaim_unconnected is not None:
        command.append(f"--WorkshopKernelManager.reclaim_unconnected={reclaim_unconnected}")
    return command


def _kernel_limits(
    host: str, expect: int | None, total: int | None, per_client: int | None
) -> list[str]:
    """The kernel manager's limits on page kernels: those given, else the defaults."""
    from mentorkit.jupyter.capacity import default_caps  # imports Voilà: only to serve

    default_total, default_per_client = default_caps(expect, host)
    return [
        f"--WorkshopKernelManager.max_kernels={default_total if total is None else total}",
        "--WorkshopKernelManager.max_kernels_per_client="
        f"{default_per_client if per_client is None else per_client}",
    ]


def served_workshop_name(store: Store) -> str | None:
    """The name of the workshop the apps serve (the only one in the database), shown on
    every page while it opens; None when there is none yet, or several."""
    try:
        return choose_workshop(store).name
    except MentorkitError:
        return None


def _voila_json_resources() -> dict[str, object]:
    """`VoilaConfiguration.resources` in voila.json (none when it cannot be read)."""
    try:
        config = json.loads(VOILA_CONFIG.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    resources = config.get("VoilaConfiguration", {}).get("resources", {})
    return resources if isinstance(resources, dict) else {}


def serve_env(database_url: str, token: str = "") -> dict[str, str]:
    """The environment of the Voilà server `mentorkit serve` runs.

    Kernels inherit it, so every app uses the database chosen here. JUPYTER_PATH leads to
    the `mentorkit` template. The token goes through the environment rather than the
    command line, which other users of the machine can list; the server removes it
    before any kernel starts (mentorkit.jupyter.launch).
    """
    paths = [str(JUPYTER_DIR), *filter(None, os.environ.get("JUPYTER_PATH", "").split(os.pathsep))]
    env = {**os.environ, "MENTORKIT_DB": database_url, "JUPYTER_PATH": os.pathsep.join(paths)}
    env.pop(TOKEN_VARIABLE, None)
    if token:
        env[TOKEN_VARIABLE] = token
    return env


def kernel_app_ip(host: str) -> str:
    """Where a pre-heated kernel reaches the server to learn its visitor's request
    (Voilà's VOILA_APP_IP, 127.0.0.1 by default, which a server bound elsewhere refuses)."""
    if host in {"", "0.0.0.0", "localhost"}:
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def _check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise UserError(
                f"cannot listen on {host}:{port} ({exc.strerror}); choose another --port"
            ) from None


if __name__ == "__main__":
    sys.exit(main())
