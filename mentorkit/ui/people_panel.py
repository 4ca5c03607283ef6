"""The facilitator's people tools: issue invite codes, reset a resume code, merge two
participants, remove one; and the list of participants with how each stands (signed in,
invited and waiting, joined on the day).

The Cohort dashboard and the Workshop setup app show the same panel, so each thing is done
one way (through `mentorkit.people`, as `mentorkit people …` does). A new code is shown
once, where it was issued, and new invite codes come with their mail-merge table to
download: only their hashes are stored. The setup app's People section lists the mentors
too, with a new invite code or resume code for one of them (`mentorkit mentors …`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from html import escape

import ipywidgets as widgets

from mentorkit import people
from mentorkit.identity import reset_mentor_resume_code, reset_resume_code
from mentorkit.models import MentorProfile, Participant
from mentorkit.ui.facilitator import FacilitatorSession
from mentorkit.ui.fields import ChoiceDropdown, choices
from mentorkit.ui.frame import guarded
from mentorkit.ui.guard import Confirmation
from mentorkit.ui.html import XLSX_MIME, download_link, table_bytes, time_html


class PeoplePanel(widgets.VBox):
    """The facilitator's people tools: issue invite codes, reset a resume code, merge two
    participants, remove one.

    A new code is shown once, here, until the next action (and never while the page is
    anonymised); new invite codes come with the mail-merge table to download. Issuing
    everyone's invite codes, merging and removing take two steps: the second names what
    will happen and waits for "Confirm …" or "Cancel"; it acts on the people named then,
    whatever an automatic refresh does to the lists meanwhile, and only when this page
    asked (`Confirmation`: a "Confirm" click sent without the first step does nothing).
    """

    def __init__(self, session: FacilitatorSession, on_change: Callable[[], object]) -> None:
        super().__init__()
        self.add_class("mentorkit-people")
        self.session = session
        self.on_change = on_change
        guard = guarded(session.notice)
        wide = {"description_width": "8rem"}
        self.person = ChoiceDropdown(
            description="Participant",
            style=wide,
            layout=widgets.Layout(width="100%", max_width="48rem"),
        )
        self.reset = widgets.Button(
            description="Reset resume code",
            tooltip="Give them a new code; the old one stops working",
            layout=widgets.Layout(width="auto"),
        )
        self.merge = widgets.Button(
            description="Merge into…",
            tooltip="They are on the list twice: move their worksheets to the other entry",
            layout=widgets.Layout(width="auto"),
        )
        self.remove = widgets.Button(
            description="Remove…",
            tooltip="Take them off the list with everything they saved",
            layout=widgets.Layout(width="auto"),
        )
        self.invite = widgets.Button(
            description="New invite code",
            tooltip="Give them a new invite code; the old one stops working",
            layout=widgets.Layout(width="auto"),
        )
        self.invite_all = widgets.Button(
            description="Invite codes for everyone not signed in…",
            tooltip="New invite codes for a mail merge; the codes sent before stop working",
            layout=widgets.Layout(width="auto"),
        )
        self.keep = ChoiceDropdown(
            description="Merge into",
            style=wide,
            layout=widgets.Layout(width="100%", max_width="48rem"),
        )
        self.question = widgets.HTML()
        self.confirm = widgets.Button(button_style="danger", layout=widgets.Layout(width="auto"))
        self.cancel = widgets.Button(description="Cancel", layout=widgets.Layout(width="auto"))
        self.confirm_box = widgets.VBox(
            [
                self.keep,
                self.question,
                widgets.HBox([self.confirm, self.cancel]).add_class("mentorkit-people-actions"),
            ],
            layout=widgets.Layout(display="none"),
        ).add_class("mentorkit-confirm")
        self.outcome = widgets.HTML()
        self.reset.on_click(guard(lambda _button: self.reset_code()))
        self.merge.on_click(guard(lambda _button: self.ask("merge")))
        self.remove.on_click(guard(lambda _button: self.ask("remove")))
        self.invite.on_click(guard(lambda _button: self.invite_one()))
        self.invite_all.on_click(guard(lambda _button: self.ask("invite")))
        self.keep.observe(guard(lambda _change: self._describe()), names="value")
        self.confirm.on_click(guard(lambda _button: self.carry_out()))
        self.cancel.on_click(guard(lambda _button: self.close_question()))
        self.person.observe(guard(lambda _change: self.close_question()), names="value")
        #: The action asked about ("merge" or "remove") and the person it is for.
        self.pending: Confirmation[tuple[str, Participant | None]] = Confirmation(
            "issuing invite codes, merging or removing a participant"
        )
        self._people: dict[str, Participant] = {}
        #: How each participant reads in the drop-downs (`entry_labels`), and the entry
        #: number of those whose name another entry shares (`entries`).
        self._labels: dict[str, str] = {}
        self._entries: dict[str, str] = {}
        #: Those who would get a new invite code, as the question named them.
        self._inviting: list[Participant] = []
        self.children = [
            widgets.HTML(
                '<p class="mentorkit-muted">Someone lost their resume code? Reset it and give '
                "them the new one. Lost their invitation? Give them a new invite code. On the "
                "list twice (joined on the day by name instead of with their invite code)? "
                "Merge that entry into their roster entry: they keep the resume code they "
                "were given. Left the workshop and asked to be forgotten? Remove them.</p>"
            ),
            self.person,
            widgets.HBox([self.reset, self.invite, self.merge, self.remove]).add_class(
                "mentorkit-people-actions"
            ),
            widgets.HBox([self.invite_all]).add_class("mentorkit-people-actions"),
            self.confirm_box,
            self.outcome,
        ]

    def show_people(
        self, participants: Sequence[Participant], documents: Mapping[str, int] | None = None
    ) -> None:
        """Offer these participants, keeping the one chosen if they are still there;
        `documents` (worksheets saved, by participant id) tells entries of one name apart."""
        self._people = {p.id: p for p in participants}
        self._labels = entry_labels(participants, documents)
        self._entries = entries(participants)
        options = choices(self._labels)
        if list(self.person.options) != options:
            chosen = self.person.value
            self.person.options = options
            self.person.value = chosen if chosen in self._people else None

    def _chosen(self) -> Participant:
        person = self._people.get(self.person.value or "")
        if person is None:
            raise people.PersonNotFound("Choose a participant first.")
        return person

    def reset_code(self) -> None:
        """Issue the chosen participant a new resume code and show it, once."""
        self.close_question()
        person = self._chosen()
        code = reset_resume_code(self.session.store, self.session.workshop.code, person.id)
        self.outcome.value = (
            '<div class="mentorkit-resume" role="status"><p>New resume code for '
            f"<strong>{escape(person.name)}</strong>: "
            f'<code class="mentorkit-resume-code">{escape(code)}</code></p><p>Give it to them '
            "now: it is not shown again. Their old code no longer works, also in browsers "
            "that stayed signed in with it; their answers are kept.</p></div>"
        )

    def invite_one(self) -> None:
        """Issue the chosen participant a new invite code and show it, once, with its row
        for a mail merge."""
        self.close_question()
        person = self._chosen()
        invites = people.issue_invites(self.session.store, self.session.workshop.code, [person])
        self.outcome.value = (
            '<div class="mentorkit-resume" role="status"><p>New invite code for '
            f"<strong>{escape(person.name)}</strong>: "
            f'<code class="mentorkit-invite-code">{escape(invites[0].code)}</code></p><p>Give '
            "it to them now: it is not shown again. Their old invite code no longer works. "
            f"{invite_downloads(invites)}</p></div>"
        )
        self.on_change()

    def ask(self, action: str) -> None:
        """The first step of issuing everyone's invite codes, merging or removing: say what
        will happen, wait for Confirm."""
        if action == "invite":
            self._ask_invite_all()
            return
        person = self._chosen()
        self.outcome.value = ""
        if action not in ("merge", "remove"):
            return
        self.pending.ask((action, person))
        if action == "merge":
            others = {pid: label for pid, label in self._labels.items() if pid != person.id}
            self.keep.options = choices(others)
            self.keep.value = None
            self.keep.layout.display = "flex"
            self.confirm.description = "Confirm merge"
        else:
            self.keep.layout.display = "none"
            self.confirm.description = "Confirm remove"
        self._describe()
        self.confirm_box.layout.display = "flex"
        (self.keep if action == "merge" else self.confirm).focus()

    def _ask_invite_all(self) -> None:
        store, code = self.session.store, self.session.workshop.code
        self.outcome.value = ""
        self._inviting = people.waiting_for_invites(store, code, again=True)
        if not self._inviting:
            self.close_question()
            self.outcome.value = (
                '<p role="status">Everyone on the roster has signed in: nobody needs an '
                "invite code.</p>"
            )
            return
        self.pending.ask(("invite", None))
        self.keep.layout.display = "none"
        self.confirm.description = "Confirm new invite codes"
        count = len(self._inviting)
        self.question.value = (
            f"<p role='alert'>Issue new invite codes to the {count} rostered participant"
            f"{'s' if count != 1 else ''} who have not signed in yet? The codes they were sent "
            "before stop working; you download the new ones for a mail merge.</p>"
        )
        self.confirm_box.layout.display = "flex"
        self.confirm.focus()

    def _describe(self) -> None:
        if self.pending.subject is None:
            return
        action, person = self.pending.subject
        if person is None:
            return  # issuing everyone's invite codes: its question names no one person
        name = escape(self._called(person))
        if action == "remove":
            self.question.value = (
                f"<p role='alert'>Remove <strong>{name}</strong> from the workshop with every "
                "worksheet they saved and all earlier versions? Their resume code stops "
                "working. This cannot be undone.</p>"
            )
            return
        keep = self._people.get(self.keep.value or "")
        if keep is None:
            self.question.value = (
                f"<p>Choose the entry to keep: <strong>{name}</strong>'s worksheets move "
                "there, and this entry leaves the list.</p>"
            )
            return
        self.question.value = (
            f"<p role='alert'>Move every worksheet of <strong>{name}</strong> to "
            f"<strong>{escape(self._called(keep))}</strong> and take {name} off the list? "
            f"{escape(self._called(keep))} keeps their name and resume code; {name}'s code stops "
            "working. Goals and check-ins are added after theirs; a worksheet both have keeps "
            "the version saved last (the other stays in its history). This cannot be "
            "undone.</p>"
        )

    def carry_out(self) -> None:
        """The second step: issue the invite codes, merge or remove the people named in the
        question."""
        asked = self.pending.expect()
        if asked is None:
            self.close_question()  # the page showed a question nobody asked
            return
        action, person = asked
        store, code = self.session.store, self.session.workshop.code
        if action == "invite":
            invites = people.issue_invites(store, code, self._inviting)
            self.close_question()
            self.outcome.value = (
                f'<div class="mentorkit-resume" role="status"><p>Issued {len(invites)} new '
                "invite codes. Download them now for your mail merge (name, email, invite "
                "code): they are not shown again, and the codes sent before no longer work."
                f"</p><p>{invite_downloads(invites)}</p></div>"
            )
            self.on_change()
            return
        if person is None:
            return
        if action == "merge":
            keep = self._people.get(self.keep.value or "")
            if keep is None:
                raise people.PersonNotFound("Choose the entry to keep first.")
            counts = people.merge_people(store, code, keep, person)
            message = (
                f"{self._called(person)} is merged into {self._called(keep)}: "
                f"{people.worksheets_counted(counts.moved)} moved, {counts.combined} both had "
                "(the version saved last is kept)."
            )
        elif action == "remove":
            people.remove_person(store, code, person)
            message = f"{person.name} is removed, with everything they saved."
        else:
            return
        self.close_question()
        self.outcome.value = f'<p role="status" class="mentorkit-success">{escape(message)}</p>'
        self.on_change()

    def _called(self, person: Participant) -> str:
        """The name, with the entry number when another entry has the same name."""
        entry = self._entries.get(person.id)
        return f"{person.name} ({entry})" if entry else person.name

    def close_question(self) -> None:
        """Cancel a merge or removal that waits for confirmation."""
        self.pending.withdraw()
        self._inviting = []
        self.confirm_box.layout.display = "none"
        self.question.value = ""

    def hide_secrets(self) -> None:
        """Forget a new code on show and the names on offer (the page is projected)."""
        self.close_question()
        self.keep.options = []
        self.outcome.value = ""


def _person_label(person: Participant) -> str:
    if person.email:
        return f"{person.name} <{person.email}>"
    return f"{person.name} (joined on the day)"


def entries(participants: Sequence[Participant]) -> dict[str, str]:
    """'entry 2 of 2' for each participant whose label another one shares (someone who
    joined on the day twice by the same name, with no email to tell the entries apart),
    counted in the order of the list; by id, only for those."""
    base = {p.id: _person_label(p) for p in participants}
    totals = Counter(base.values())
    seen: Counter[str] = Counter()
    found: dict[str, str] = {}
    for person in participants:
        label = base[person.id]
        if totals[label] > 1:
            seen[label] += 1
            found[person.id] = f"entry {seen[label]} of {totals[label]}"
    return found


def entry_labels(
    participants: Sequence[Participant], documents: Mapping[str, int] | None = None
) -> dict[str, str]:
    """How each participant reads in the people tools' drop-downs, by id.

    Merging is for someone on the list twice, and then the two entries may read the same:
    those get their place on the list (`entries`, as the people list marks them) and, when
    `documents` gives them, the worksheets each saved.
    """
    numbered = entries(participants)
    labels: dict[str, str] = {}
    for person in participants:
        label = _person_label(person)
        if person.id in numbered:
            label += f" · {numbered[person.id]}"
            if documents is not None:
                label += f", {people.worksheets_counted(documents.get(person.id, 0))} saved"
        labels[person.id] = label
    return labels


def sheet_downloads(
    rows: Sequence[Mapping[str, object]], columns: Sequence[str], stem: str, title: str
) -> str:
    """Links that download a mail-merge table as `stem`.csv and `stem`.xlsx, labelled
    "`title` (CSV)" and "`title` (XLSX)"; cells a spreadsheet would run are written as text."""
    return " ".join(
        download_link(
            f"{stem}{suffix}", table_bytes(rows, columns, suffix), mime, f"{title} ({kind})"
        )
        for suffix, mime, kind in ((".csv", "text/csv", "CSV"), (".xlsx", XLSX_MIME, "XLSX"))
    )


def invite_downloads(invites: Sequence[people.Invite]) -> str:
    """Links that download the mail-merge table of these invite codes (CSV and XLSX)."""
    return sheet_downloads(
        people.invites_table(invites), people.INVITE_COLUMNS, "invites", "Invite codes"
    )


def mentor_invite_downloads(invites: Sequence[people.MentorInvite], base: str) -> str:
    """Links that download the mentors' mail-merge table (CSV and XLSX): name, email, invite
    code and personal link (after `base`, the server's address; relative when '')."""
    return sheet_downloads(
        people.mentor_invites_table(invites, base),
        people.MENTOR_INVITE_COLUMNS,
        "mentor-invites",
        "Mentors' invite codes",
    )


#: Said beside mentors' personal links when the server's address is not known.
RELATIVE_LINKS = (
    "The personal links are relative to this server's address: put the address you open "
    "the apps at in front of them."
)


def mentor_invites_html(invites: Sequence[people.MentorInvite], base: str) -> str:
    """New mentor invite codes, offered once as their mail-merge sheet to download."""
    count = len(invites)
    relative = "" if base else f" {RELATIVE_LINKS}"
    return (
        f'<div role="status" class="mentorkit-resume mentorkit-mentor-invites"><p>Issued '
        f"{count} new mentor invite code{'s' if count != 1 else ''}. Download them now for "
        "your mail merge (name, email, invite code, and the personal link that signs the "
        f"mentor in): they are not shown again.{escape(relative)}</p>"
        f"<p>{mentor_invite_downloads(invites, base)}</p></div>"
    )


def people_html(found: Sequence[people.PersonSummary]) -> str:
    """The participants as `mentorkit people list` lists them: name, email, how they stand
    (signed in, invited and waiting, no invite code), whether they joined on the day, and
    how many worksheets they saved."""
    if not found:
        return '<p class="mentorkit-muted">No participant yet: import the participant roster.</p>'
    rows = []
    numbered = entries([summary.participant for summary in found])
    for summary in found:
        person = summary.participant
        entry = numbered.get(person.id)
        marked = f" <span class='mentorkit-muted'>· {escape(entry)}</span>" if entry else ""
        state = summary.sign_in_state
        css = "mentorkit-step-done" if summary.signed_in else "mentorkit-step-none"
        joined = "joined on the day" if summary.joined_on_the_day else "roster"
        rows.append(
            f"<tr><th scope='row'>{escape(person.name)}{marked}</th>"
            f"<td>{escape(person.email or '—')}</td>"
            f"<td class='{css}'>{escape(state)}</td><td>{escape(joined)}</td>"
            f"<td class='num'>{summary.documents}</td></tr>"
        )
    signed = sum(1 for summary in found if summary.signed_in)
    caption = f"{len(found)} participants, {signed} signed in"
    return (
        '<div class="mentorkit-table-wrap"><table class="mentorkit-table mentorkit-people-list">'
        f"<caption>{escape(caption)}</caption><thead><tr><th scope='col'>Participant</th>"
        "<th scope='col'>Email</th><th scope='col'>Sign-in</th><th scope='col'>From</th>"
        "<th scope='col' class='num'>Worksheets saved</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def mentor_sign_in_state(email: str, invited: set[str], signed_in: set[str]) -> str:
    """How a mentor stands, in the words used for participants."""
    if email in signed_in:
        return "signed in"
    if email in invited:
        return "invited, not signed in yet"
    return "no invite code"


def mentors_html(mentors: Sequence[MentorProfile], invited: set[str], signed_in: set[str]) -> str:
    """The mentors and how each stands: signed in, invited and waiting, or no code yet."""
    if not mentors:
        return '<p class="mentorkit-muted">No mentor yet: import the mentor roster.</p>'
    rows = []
    for mentor in mentors:
        state = mentor_sign_in_state(mentor.email, invited, signed_in)
        css = "mentorkit-step-done" if mentor.email in signed_in else "mentorkit-step-none"
        rows.append(
            f"<tr><th scope='row'>{escape(mentor.name)}</th><td>{escape(mentor.email)}</td>"
            f"<td class='{css}'>{escape(state)}</td></tr>"
        )
    done = sum(1 for mentor in mentors if mentor.email in signed_in)
    caption = f"{len(mentors)} mentors, {done} signed in"
    return (
        '<div class="mentorkit-table-wrap"><table class="mentorkit-table mentorkit-mentors-list">'
        f"<caption>{escape(caption)}</caption><thead><tr><th scope='col'>Mentor</th>"
        "<th scope='col'>Email</th><th scope='col'>Sign-in</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


class MentorsPanel(widgets.VBox):
    """The mentors and how each stands, with a new invite code or resume code for one
    mentor, shown once (`base` is the server's address for the personal link; '' when it
    is not known)."""

    def __init__(
        self, session: FacilitatorSession, on_change: Callable[[], object], base: str = ""
    ) -> None:
        super().__init__()
        self.add_class("mentorkit-mentors-panel")
        self.session = session
        self.on_change = on_change
        self.base = base
        guard = guarded(session.notice)
        self.listing = widgets.HTML()
        self.mentor = ChoiceDropdown(
            description="Mentor",
            style={"description_width": "8rem"},
            layout=widgets.Layout(width="100%", max_width="48rem"),
        )
        self.reset = widgets.Button(
            description="Reset mentor's resume code",
            tooltip="Give the mentor a new resume code; the old one stops working",
            layout=widgets.Layout(width="auto"),
        )
        self.invite = widgets.Button(
            description="New mentor invite code",
            tooltip="Give the mentor a new invite code and personal link; the old ones stop "
            "working",
            layout=widgets.Layout(width="auto"),
        )
        self.outcome = widgets.HTML()
        self.reset.on_click(guard(lambda _button: self.reset_code()))
        self.invite.on_click(guard(lambda _button: self.invite_one()))
        self._mentors: dict[str, MentorProfile] = {}
        self.children = [
            widgets.HTML(
                "<h3>Mentors</h3><p class='mentorkit-muted'>Mentors sign in on their own page "
                "with the personal link from their invitation. Lost the invitation? Give them "
                "a new invite code. Lost their resume code after signing in? Reset it.</p>"
            ),
            self.listing,
            self.mentor,
            widgets.HBox([self.reset, self.invite]).add_class("mentorkit-people-actions"),
            self.outcome,
        ]

    def show_mentors(self) -> None:
        """Read the mentors and how each stands again; keep the one chosen."""
        store, code = self.session.store, self.session.workshop.code
        mentors = store.mentors(code)
        self.listing.value = mentors_html(
            mentors, store.mentors_invited(code), store.mentors_signed_in(code)
        )
        self._mentors = {m.email: m for m in mentors}
        options = choices({m.email: f"{m.name} <{m.email}>" for m in mentors})
        if list(self.mentor.options) != options:
            chosen = self.mentor.value
            self.mentor.options = options
            self.mentor.value = chosen if chosen in self._mentors else None

    def _chosen(self) -> MentorProfile:
        mentor = self._mentors.get(self.mentor.value or "")
        if mentor is None:
            raise people.MentorNotFound("Choose a mentor first.")
        return mentor

    def reset_code(self) -> None:
        """Issue the chosen mentor a new resume code and show it, once."""
        mentor = self._chosen()
        code = reset_mentor_resume_code(
            self.session.store, self.session.workshop.code, mentor.email
        )
        self.outcome.value = (
            '<div class="mentorkit-resume" role="status"><p>New resume code for mentor '
            f"<strong>{escape(mentor.name)}</strong>: "
            f'<code class="mentorkit-resume-code">{escape(code)}</code></p><p>Give it to them '
            "now: it is not shown again. Their old code no longer works, also in browsers "
            "that stayed signed in with it; their profile is kept.</p></div>"
        )
        self.on_change()

    def invite_one(self) -> None:
        """Issue the chosen mentor a new invite code and show it, once, with their row for
        a mail merge."""
        mentor = self._chosen()
        invites = people.issue_mentor_invites(
            self.session.store, self.session.workshop.code, [mentor]
        )
        link = people.mentor_link(self.base, invites[0].code)
        relative = "" if self.base else f" {RELATIVE_LINKS}"
        self.outcome.value = (
            '<div class="mentorkit-resume" role="status"><p>New invite code for mentor '
            f"<strong>{escape(mentor.name)}</strong>: "
            f'<code class="mentorkit-invite-code">{escape(invites[0].code)}</code>, personal '
            f'link <code class="mentorkit-personal-link">{escape(link)}</code></p><p>Give '
            "them to the mentor now: they are not shown again. Their old invite code no "
            f"longer works.{escape(relative)} {mentor_invite_downloads(invites, self.base)}"
            "</p></div>"
        )
        self.on_change()


class PeopleSection(widgets.VBox):
    """Who is in the workshop and how each stands, read again on "Refresh", with the
    people tools (`PeoplePanel`) below, then the mentors (`MentorsPanel`): so the
    facilitator watches people join and looks after them on one page. `base` is the
    server's address for mentors' personal links ('' when it is not known)."""

    def __init__(self, session: FacilitatorSession, base: str = "") -> None:
        super().__init__()
        self.add_class("mentorkit-people-section")
        self.session = session
        self.refresh_button = widgets.Button(
            description="Refresh",
            tooltip="Read the list of participants and mentors again",
            layout=widgets.Layout(width="auto"),
        )
        self.updated = widgets.HTML()
        self.listing = widgets.HTML()
        self.panel = PeoplePanel(session, on_change=self.refresh)
        self.mentors = MentorsPanel(session, on_change=self.refresh, base=base)
        self.refresh_button.on_click(guarded(session.notice)(lambda _button: self.refresh()))
        self.children = [
            widgets.HBox([self.refresh_button, self.updated]).add_class("mentorkit-toolbar"),
            self.listing,
            self.panel,
            self.mentors,
        ]
        self.refresh()

    def refresh(self) -> None:
        """Read the participants, the mentors and how each stands again; offer them to the
        tools."""
        found = people.people(self.session.store, self.session.workshop.code)
        self.listing.value = people_html(found)
        self.panel.show_people(
            [summary.participant for summary in found],
            {summary.participant.id: summary.documents for summary in found},
        )
        self.mentors.show_mentors()
        self.updated.value = (
            '<span class="mentorkit-muted" role="status">Updated '
            f"{time_html(datetime.now(UTC), seconds=True)}</span>"
        )
