"""02 Mentor shortlist: the mentor directory ranked by fit, a shortlist of three, outreach,
and requests.

The ranking is computed once per page (it depends only on the saved self-assessment and
the places mentors have left); changing a filter only re-renders one HTML widget, so the
page stays quick.

A mentor who takes no new mentees now (their own switch, or a day to come) is said to be so
in the directory and beside their place on the shortlist, never left out; a request to them
is refused in those words.

Mentors the participant found themselves (their own network, an alumni group, an event…)
are written down under the directory (`mentorkit.prospects`): they are ranked on what the
participant says they are good at, can be chosen in any of the three places and get an
outreach draft; the participant sends that message themselves.

A shortlisted mentor's message can be sent as a request. What the participant sent is
kept in their shortlist; the answer (the mentor's, or the facilitator's) is stored with
the matching's decisions, where the participant cannot write (`mentorkit.mentoring`). The
rules (one waiting request per mentor, at most three waiting, none once a mentor has
accepted) are the core's, checked again at every send.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from html import escape
from typing import Any

import ipywidgets as widgets

from mentorkit.catalog import load_expertise_synonyms
from mentorkit.errors import InvalidInput
from mentorkit.expertise import ExpertiseVocabulary
from mentorkit.fit import MentorFit, rank_mentors
from mentorkit.mentoring import (
    Answerer,
    MentoringError,
    MentorRequest,
    RequestState,
    availability_words,
    requests_of,
    send_request,
    sent_part,
    taking_new_mentees,
    withdraw,
)
from mentorkit.models import (
    FoundThrough,
    MeetingFormat,
    MentorProfile,
    MentorShortlist,
    ProspectiveMentor,
    SelfAssessment,
    SentRequest,
    ShortlistEntry,
    SmartGoal,
    check,
)
from mentorkit.outreach import outreach_message
from mentorkit.prospects import (
    MAX_PROSPECTS,
    PLACES_TO_LOOK,
    WHAT_TO_CHECK,
    ProspectFit,
    found_mentor,
    found_through_sentence,
    next_prospect_id,
    rank_found,
)
from mentorkit.store import Store
from mentorkit.ui.fields import ChoiceDropdown, Fields, FieldSet, choices
from mentorkit.ui.frame import guarded
from mentorkit.ui.html import copy_button, html_text, time_html
from mentorkit.ui.parts import Row, RowList
from mentorkit.ui.shell import Session, WorksheetApp, worksheet_app
from mentorkit.worksheets import EXPECTATIONS, SELF_ASSESSMENT

SHORTLIST_SLOTS = 3
TOP_COUNT = 10
FILTER_LABEL_WIDTH = "8rem"
ANY = "Any"
SELF_ASSESSMENT_NOTEBOOK = SELF_ASSESSMENT.notebook

STYLE = """
<style>
.mentorkit-shortlist .mentorkit-directory { list-style: none; padding: 0; margin: 0; }
.mentorkit-shortlist .mentorkit-mentor h3 { margin: 0.3rem 0 0.1rem; }
.mentorkit-shortlist .mentorkit-mentor p { margin: 0.25rem 0; }
.mentorkit-shortlist .mentorkit-facts { display: flex; flex-wrap: wrap; gap: 0.1rem 1.5rem;
  list-style: none; padding: 0; margin: 0.3rem 0; }
.mentorkit-shortlist .mentorkit-why { background: #f0f4f8; padding: 0.2rem 0.5rem;
  border-radius: 4px; }
.mentorkit-shortlist .mentorkit-picked { color: #03543f; font-weight: 600; }
.mentorkit-shortlist .mentorkit-stacked { flex-direction: column; align-items: stretch; }
.mentorkit-shortlist .mentorkit-stacked > .widget-label { text-align: left; width: auto;
  max-width: none; font-weight: 600; }
.mentorkit-shortlist .mentorkit-stacked textarea { min-height: inherit; }
.mentorkit-shortlist .mentorkit-filters { flex-wrap: wrap; gap: 0.2rem 1rem; }
.mentorkit-shortlist .mentorkit-actions { align-items: center; gap: 1rem; flex-wrap: wrap; }
.mentorkit-shortlist .mentorkit-request p { margin: 0.25rem 0; }
.mentorkit-shortlist .mentorkit-request-state { border-left: 4px solid #486581;
  background: #f0f4f8; padding: 0.3rem 0.8rem; margin: 0.5rem 0; }
.mentorkit-shortlist .mentorkit-request-accepted { border-color: #0e7c4a; background: #effcf6; }
.mentorkit-shortlist .mentorkit-request-declined { border-color: #b44d12; background: #fffaeb; }
.mentorkit-shortlist .mentorkit-request-state a { color: #1d4ed8; text-decoration: underline; }
.mentorkit-shortlist .mentorkit-reply { border-left: 3px solid #9fb3c8; padding-left: 0.6rem; }
.mentorkit-shortlist .mentorkit-closed { color: #8d2b0b; }
.mentorkit-shortlist .mentorkit-found { border-left: 4px solid #486581; }
.mentorkit-shortlist .mentorkit-advice { display: flex; flex-wrap: wrap; gap: 0 2rem; }
.mentorkit-shortlist .mentorkit-advice > div { flex: 1 1 20rem; }
.mentorkit-shortlist .mentorkit-advice ul { margin: 0.2rem 0 0.5rem; padding-left: 1.2rem; }
</style>
"""


@dataclass(frozen=True)
class DirectoryFilter:
    """What the participant narrowed the directory to (None: any)."""

    industry: str | None = None
    expertise: str | None = None
    format: MeetingFormat | None = None
    time_zone: str | None = None
    language: str | None = None
    tag: str | None = None
    places_left_only: bool = False

    def admits(self, item: MentorFit) -> bool:
        """Whether a mentor passes every filter that is set."""
        mentor = item.mentor
        if self.industry and mentor.industry != self.industry:
            return False
        if self.expertise and self.expertise not in mentor.expertise:
            return False
        if self.format and self.format not in mentor.formats:
            return False
        if self.time_zone and mentor.time_zone != self.time_zone:
            return False
        if self.language and self.language.casefold() not in {
            language.casefold() for language in mentor.languages
        }:
            return False
        if self.tag and self.tag.casefold() not in {tag.casefold() for tag in mentor.tags}:
            return False
        return not (self.places_left_only and item.places_left <= 0)


def _distinct(words: Iterable[str]) -> list[str]:
    """Non-empty words without case-insensitive repeats (first spelling kept), sorted."""
    seen: dict[str, str] = {}
    for word in words:
        if word and word.casefold() not in seen:
            seen[word.casefold()] = word
    return sorted(seen.values(), key=str.casefold)


def _name_labels(mentors: Sequence[MentorProfile]) -> dict[str, str]:
    """A distinct dropdown label per mentor email: the name, made unique when shared."""
    by_name: dict[str, int] = {}
    for mentor in mentors:
        by_name[mentor.name.casefold()] = by_name.get(mentor.name.casefold(), 0) + 1
    labels: dict[str, str] = {}
    for mentor in mentors:
        if by_name[mentor.name.casefold()] == 1:
            labels[mentor.email] = mentor.name
        elif mentor.organization:
            labels[mentor.email] = f"{mentor.name} ({mentor.organization}, {mentor.email})"
        else:
            labels[mentor.email] = f"{mentor.name} ({mentor.email})"
    return labels


#: The label column of a found mentor's inputs.
FOUND_LABEL_WIDTH = "13rem"
#: How the place a mentor was found reads in its drop-down.
_FOUND_THROUGH_LABELS: dict[FoundThrough, str] = {
    FoundThrough.OWN_NETWORK: "My own network",
    FoundThrough.FORMER_COLLEAGUE: "A former colleague or teacher",
    FoundThrough.ALUMNI: "An alumni group",
    FoundThrough.ASSOCIATION: "A professional association",
    FoundThrough.EVENT: "An event",
    FoundThrough.ONLINE: "Online",
    FoundThrough.OTHER: "Somewhere else",
}


def advice_html() -> str:
    """Where to look for a mentor beyond the directory, and what to check first."""

    def items(pairs: tuple[tuple[str, str], ...]) -> str:
        return "".join(
            f"<li><strong>{escape(head)}</strong>: {escape(text)}</li>" for head, text in pairs
        )

    return (
        '<div class="mentorkit-advice"><div><p>Look beyond this list:</p>'
        f"<ul>{items(PLACES_TO_LOOK)}</ul></div><div><p>Before you approach someone, check:</p>"
        f"<ul>{items(WHAT_TO_CHECK)}</ul></div></div>"
    )


class ProspectRow(Row):
    """One mentor the participant found: name, where and how, a link, an email, what they
    are good at, how they fit; and its Remove button."""

    def __init__(self, prospect_id: str, number: int, saved: ProspectiveMentor | None) -> None:
        super().__init__()
        self.add_class("mentorkit-card")
        self.add_class("mentorkit-found")
        self.prospect_id = prospect_id
        fields = Fields(FOUND_LABEL_WIDTH)
        self.name = fields.text("", saved.name if saved else "", "Their full name", width="34rem")
        self.found_through = fields.dropdown(
            "",
            choices(_FOUND_THROUGH_LABELS),
            saved.found_through if saved else None,
        )
        self.how_you_know = fields.textarea(
            "",
            saved.how_you_know if saved else "",
            "e.g. She gave the keynote at the spring meetup; we spoke afterwards",
            height="4rem",
        ).add_class("mentorkit-stacked")  # a long label: above its box, not cut short
        self.link = fields.text(
            "", saved.link if saved else "", "https://… (a profile or their website)"
        )
        self.email = fields.text(
            "", (saved.email or "") if saved else "", "If you have it", width="34rem"
        )
        self.good_at = fields.text(
            "",
            saved.good_at if saved else "",
            "e.g. public speaking; negotiation; leading a team",
        )
        self.fit = widgets.HTML().add_class("mentorkit-why-line")
        self.remove = widgets.Button(layout=widgets.Layout(width="auto"))
        self.problem = widgets.HTML().add_class("mentorkit-problem-line")
        self.renumber(number)
        self.children = [*self.inputs(), self.fit, self.problem, widgets.HBox([self.remove])]

    def renumber(self, number: int) -> None:
        """Label the inputs 'Mentor you found {number}: …' (unique on the page)."""
        prefix = f"Mentor you found {number}"
        self.name.description = f"{prefix}: name"
        self.found_through.description = f"{prefix}: where"
        self.how_you_know.description = f"{prefix}: how you know them"
        self.link.description = f"{prefix}: link"
        self.email.description = f"{prefix}: email"
        self.good_at.description = f"{prefix}: good at"
        self.remove.description = f"Remove mentor you found {number}"

    def fields(self) -> dict[str, widgets.Widget]:
        return {
            "name": self.name,
            "found_through": self.found_through,
            "how_you_know": self.how_you_know,
            "link": self.link,
            "email": self.email,
            "good_at": self.good_at,
        }

    def is_blank(self) -> bool:
        texts = (self.name, self.how_you_know, self.link, self.email, self.good_at)
        return self.found_through.value is None and not any(w.value.strip() for w in texts)

    def data(self) -> dict[str, Any]:
        return {
            "id": self.prospect_id,
            "name": self.name.value,
            "found_through": self.found_through.value,
            "how_you_know": self.how_you_know.value,
            "link": self.link.value,
            "email": self.email.value.strip() or None,
            "good_at": self.good_at.value,
        }

    def label(self) -> str:
        """How the mentor is offered in the shortlist's choices."""
        name = " ".join(self.name.value.split()) or "(no name yet)"
        return f"{name} (found yourself)"


class MentorShortlistView(widgets.VBox):
    """The directory with filters, and a shortlist of up to three mentors, autosaved."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.add_class("mentorkit-shortlist")
        self.session = session
        self.framework = session.workshop.framework
        self.competency_names = {cid: c.name for cid, c in self.framework.competencies().items()}
        self.mentors = session.store.mentors(session.workshop.code)
        self.by_email = {mentor.email: mentor for mentor in self.mentors}
        self.labels = _name_labels(self.mentors)

        found = session.document(SelfAssessment)
        self.has_assessment = found is not None
        self.assessment = found or SelfAssessment()
        self.goals = self._goal_titles()
        code, me = session.workshop.code, session.participant.id
        #: The day the page opened: whether a mentor takes new mentees is read for it.
        self.today = date.today()
        # Places left: each mentor's capacity less the mentees locked to them (an accepted
        # request, or the facilitator's lock); none for a mentor who takes no new mentees.
        self.ranking = rank_mentors(
            self.assessment,
            self.mentors,
            self.framework,
            places_taken=session.store.places_taken(code),
            today=self.today,
        )
        self.places_left = {item.mentor.email: item.places_left for item in self.ranking}
        self.answers = session.store.answers(code, me)  # `_read_answers` reads them again
        self.matching: list[MentorFit] = list(self.ranking)
        self.shown: list[MentorFit] = self.matching[:TOP_COUNT]

        self.autosaver = session.autosaver(MentorShortlist.kind)
        self.fields = FieldSet(MentorShortlist, session.status, self.autosaver.key)
        saved = self.autosaver.document
        start = saved if isinstance(saved, MentorShortlist) else MentorShortlist()
        self.vocabulary = ExpertiseVocabulary(self.framework, load_expertise_synonyms())
        # The mentors the participant found themselves, before the choices that offer them.
        self.found: RowList[ProspectiveMentor, ProspectRow] = RowList(
            self._prospect_row,
            saved=start.prospects,
            add=widgets.Button(
                description="Add a mentor you found yourself", layout=widgets.Layout(width="auto")
            ),
            maximum=MAX_PROSPECTS,
            notice=session.notice,
            on_change=guarded(session.notice)(self._prospects_changed),
            full_note=f"{MAX_PROSPECTS} is the most you can keep here.",
            empty_note="Nobody yet: add someone you know of, and they are ranked with the rest.",
        )
        found_ids = {prospect.id for prospect in start.prospects}
        kept = [
            entry
            for entry in start.entries
            if entry.mentor_email in self.by_email or entry.prospect in found_ids
        ]
        # What the participant wrote about and to each mentor: notes and messages follow
        # the mentor when choices are reordered, and come back if a mentor is re-chosen.
        self.messages: dict[str, str] = {e.mentor_key: e.outreach_message for e in kept}
        self.notes_by_email: dict[str, str] = {e.mentor_key: e.note for e in kept}
        #: The requests sent, by mentor email (kept whatever the shortlist now holds).
        self.sent: dict[str, SentRequest] = {r.mentor_email: r for r in start.requests}
        self._quiet = False

        self._build_filters()
        self.count = widgets.HTML()
        self.directory = widgets.HTML()
        self.choices: list[widgets.Dropdown] = []
        self.notes: list[widgets.Textarea] = []
        self.outreach: list[widgets.Textarea] = []
        self.redraft: list[widgets.Button] = []
        self.copy: list[widgets.HTML] = []
        self.request_lines: list[widgets.HTML] = []
        self.send_buttons: list[widgets.Button] = []
        self.withdraw_buttons: list[widgets.Button] = []
        self.details: list[widgets.VBox] = []
        self.problem_lines: list[widgets.HTML] = []
        entries: list[ShortlistEntry | None] = [*kept, *[None] * SHORTLIST_SLOTS]
        slots = [self._build_slot(i, entries[i]) for i in range(SHORTLIST_SLOTS)]
        if len(kept) == len(start.entries):  # entry N is still in slot N: its draft fits
            self._bind_entries()
            self._quiet = True
            try:
                self.fields.restore(start.draft)
            finally:
                self._quiet = False
            for index in range(SHORTLIST_SLOTS):
                self._remember(index)
                self._show_details(index)
            self.document()  # marks a repeated choice the draft kept

        intro = self._intro_html()
        self._show_found()
        if len(kept) < len(start.entries):
            session.notice.show(
                "A mentor on your saved shortlist is no longer in this workshop's directory, "
                "so they were taken off it. Choose someone else if you like.",
            )
        self.children = [
            widgets.HTML(STYLE),
            widgets.HTML(intro),
            widgets.HTML("<h2>Find mentors</h2>"),
            widgets.HBox(self.filters, layout=widgets.Layout(flex_flow="row wrap")).add_class(
                "mentorkit-filters"
            ),
            widgets.HBox([self.places_left_only, self.show_all]).add_class("mentorkit-filters"),
            self.count,
            self.directory,
            widgets.HTML(
                '<h2 id="mentorkit-found-yourself">Mentors you found yourself</h2><p>Someone '
                "you know of may suit you better than anyone on this list. Write them down "
                "here: they are ranked with the rest and you can choose them below.</p>"
                + advice_html()
            ),
            self.found,
            widgets.HBox([self.found.add, self.found.note]).add_class("mentorkit-actions"),
            widgets.HTML(
                "<h2>My shortlist</h2><p>Choose up to three mentors, the one you would most "
                "like first, and note why: from the directory, or one you found yourself. "
                "For each one you get a draft message: edit it in your own words, then send "
                "it as a request here (to a mentor of the directory), or copy it into an "
                "email. Ask one mentor at a time if you can; at most three requests wait at "
                "once.</p>"
            ),
            *slots,
        ]

        on_filter = guarded(session.notice)(self._filters_changed)
        for widget in [*self.filters, self.places_left_only, self.show_all]:
            widget.observe(on_filter, names="value")
        self._render_directory()

    # -- building ---------------------------------------------------------------------

    def _goal_titles(self) -> list[str]:
        return [goal.title for goal in self.session.documents(SmartGoal).values()]

    def _intro_html(self) -> str:
        if not self.has_assessment:
            link = escape(self.session.link(SELF_ASSESSMENT_NOTEBOOK), quote=True)
            return (
                '<div class="mentorkit-card mentorkit-info" role="note"><p>You have not filled '
                "in your self-assessment yet, so these mentors are not sorted for you. Take a "
                "look anyway: the ranking gets better once you have marked your growth areas "
                f'and preferences in the <a href="{link}">Self-assessment</a>.</p></div>'
            )
        growth = [self._competency(cid) for cid in self.assessment.growth_areas]
        if growth:
            areas = escape(", ".join(growth))
            return (
                "<p>Mentors are ranked by how well they fit your self-assessment, best first: "
                f"your growth areas ({areas}), how and where you like to meet, your "
                "languages and values, and whether they have a place left.</p>"
            )
        link = escape(self.session.link(SELF_ASSESSMENT_NOTEBOOK), quote=True)
        return (
            "<p>Mentors are ranked by how well they fit your self-assessment. Mark two or "
            f'three growth areas in the <a href="{link}">Self-assessment</a> for a much '
            "better match.</p>"
        )

    def _build_filters(self) -> None:
        def dropdown(label: str, options: dict[Any, str]) -> widgets.Dropdown:
            return ChoiceDropdown(
                options=choices(options, blank=ANY),
                value=None,
                description=label,
                style={"description_width": FILTER_LABEL_WIDTH},
                layout=widgets.Layout(width="21rem"),
            )

        offered = {cid for mentor in self.mentors for cid in mentor.expertise}
        expertise = {cid: name for cid, name in self.competency_names.items() if cid in offered}
        expertise |= {cid: self._competency(cid) for cid in sorted(offered - set(expertise))}
        formats = {f for mentor in self.mentors for f in mentor.formats}
        self.industry = dropdown(
            "Industry", {i: i for i in _distinct(m.industry for m in self.mentors)}
        )
        self.expertise = dropdown("Expertise", expertise)
        self.format = dropdown(
            "Meeting format", {f: f.value.capitalize() for f in MeetingFormat if f in formats}
        )
        zones = _distinct(m.time_zone or "" for m in self.mentors)
        self.time_zone = dropdown("Time zone", {z: z for z in zones})
        languages = _distinct(language for m in self.mentors for language in m.languages)
        self.language = dropdown("Language", {lang: lang for lang in languages})
        self.filters = [self.industry, self.expertise, self.format, self.time_zone, self.language]
        # Topics mentors named in their own words (not in the framework); offered only when
        # some mentor has one, so a directory without tags shows no empty filter.
        tags = _distinct(tag for m in self.mentors for tag in m.tags)
        self.tag = dropdown("Other topic", {tag: tag for tag in tags})
        if tags:
            self.filters.append(self.tag)
        self.places_left_only = widgets.Checkbox(
            value=False, description="Only mentors with places left", indent=False
        )
        self.show_all = widgets.Checkbox(
            value=False, description="Show all matching mentors", indent=False
        )

    def _build_slot(self, index: int, entry: ShortlistEntry | None) -> widgets.Widget:
        number = index + 1
        choice = ChoiceDropdown(
            options=self._choice_options(),
            value=entry.mentor_key if entry else None,
            description=f"Choice {number}",
            style={"description_width": "6rem"},
            layout=widgets.Layout(width="34rem"),
        )
        note = widgets.Textarea(
            value=entry.note if entry else "",
            description=f"Note on choice {number}",
            placeholder="Why this mentor? What would you ask them?",
            layout=widgets.Layout(width="auto", height="4.5rem"),
        ).add_class("mentorkit-stacked")
        message = widgets.Textarea(
            value=entry.outreach_message if entry else "",
            description="Message",
            layout=widgets.Layout(width="auto", height="20rem"),
        ).add_class("mentorkit-stacked")
        redraft = widgets.Button(description="Draft again", layout=widgets.Layout(width="auto"))
        copy = widgets.HTML()
        problem = widgets.HTML().add_class("mentorkit-problem-line")
        send = widgets.Button(
            description="Send as a request",
            button_style="primary",
            layout=widgets.Layout(width="auto"),
        )
        take_back = widgets.Button(
            description="Withdraw my request", layout=widgets.Layout(width="auto")
        )
        request_line = widgets.HTML().add_class("mentorkit-request")
        box = widgets.VBox(
            [
                note,
                message,
                problem,
                widgets.HBox([redraft, copy]).add_class("mentorkit-actions"),
                request_line,
                widgets.HBox([send, take_back]).add_class("mentorkit-actions"),
            ]
        )
        self.request_lines.append(request_line)
        self.send_buttons.append(send)
        self.withdraw_buttons.append(take_back)
        self.problem_lines.append(problem)
        self.fields.add(_choice_key(index), choice, message=problem)
        self.choices.append(choice)
        self.notes.append(note)
        self.outreach.append(message)
        self.redraft.append(redraft)
        self.copy.append(copy)
        self.details.append(box)
        self._show_details(index)

        notice = self.session.notice
        choice.observe(guarded(notice)(lambda change: self._chosen(index)), names="value")
        note.observe(guarded(notice)(lambda change: self._noted(index)), names="value")
        message.observe(guarded(notice)(lambda change: self._edited(index)), names="value")
        redraft.on_click(guarded(notice)(lambda button: self._draft_again(index)))
        send.on_click(guarded(notice)(lambda button: self._send_request(index)))
        take_back.on_click(guarded(notice)(lambda button: self._withdraw_request(index)))
        return widgets.VBox([choice, box]).add_class("mentorkit-card")

    # -- reacting ---------------------------------------------------------------------

    def _filters_changed(self, _change: dict[str, Any]) -> None:
        self._render_directory()

    def _chosen(self, index: int) -> None:
        if self._quiet:
            return
        email = self.choices[index].value
        if email is not None and email not in self.messages:
            self.messages[email] = self._draft(email)
        for place in range(len(self.choices)):  # a repeat elsewhere may have become one
            self._show_details(place)
        # Named now, not at the next save: the page keeps what is typed into a named field
        # in the tab, and a note is typed straight after its mentor is chosen.
        self._bind_entries()
        self._render_directory()
        self.autosaver.request(self.document)

    def _remember(self, index: int) -> None:
        """Keep slot `index`'s note and message with its mentor (they follow the mentor)."""
        email = self.choices[index].value
        if email is not None and _choice_key(index) not in self._repeats():
            self.notes_by_email[email] = self.notes[index].value
            self.messages[email] = self.outreach[index].value

    def _noted(self, index: int) -> None:
        if self._quiet:
            return
        self._remember(index)
        self.autosaver.request(self.document)

    def _edited(self, index: int) -> None:
        if self._quiet:
            return
        self._remember(index)
        self._update_copy(index)
        self.autosaver.request(self.document)

    def _draft_again(self, index: int) -> None:
        email = self.choices[index].value
        if email is not None:
            self.outreach[index].value = self._draft(email)

    def _draft(self, key: str) -> str:
        """A first message to the mentor `key` (an email of the directory, or the id of a
        mentor the participant found, whom it tells where they found them)."""
        prospect = self._prospect(key)
        if prospect is None:
            return outreach_message(
                self.session.participant,
                self.by_email[key],
                self.assessment,
                self.framework,
                goals=self.goals,
                workshop_name=self.session.workshop.name,
            )
        return outreach_message(
            self.session.participant,
            found_mentor(prospect, self.vocabulary),
            self.assessment,
            self.framework,
            goals=self.goals,
            workshop_name=self.session.workshop.name,
            found_through=found_through_sentence(prospect.found_through),
        )

    def _repeats(self) -> dict[str, str]:
        """Each place that repeats a mentor chosen in an earlier place, with the message
        shown beside it. Every place offers every mentor: a list of choices that changed
        under the pointer would let the browser send the place of one mentor in the old
        list and the kernel take it for another in the new one."""
        first: dict[str, int] = {}
        found: dict[str, str] = {}
        for index, choice in enumerate(self.choices):
            email = choice.value
            if email is None:
                continue
            if email in first:
                name = self._mentor_name(email)
                found[_choice_key(index)] = (
                    f"{name} is already your choice {first[email] + 1}: choose someone else"
                )
            else:
                first[email] = index
        return found

    def _show_details(self, index: int) -> None:
        email = self.choices[index].value
        if _choice_key(index) in self._repeats():
            email = None  # a repeat has no note or message of its own
        box, message = self.details[index], self.outreach[index]
        self._quiet = True
        try:
            self.notes[index].value = self.notes_by_email.get(email, "") if email else ""
            message.value = self.messages.get(email, "") if email else ""
        finally:
            self._quiet = False
        if email is None:
            box.layout.display = "none"
            self.copy[index].value = ""
            return
        name = self._mentor_name(email)
        message.description = f"Message to {name}"
        self.redraft[index].description = f"Draft again for {name}"
        self.redraft[index].tooltip = f"Replace the message to {name} with a new draft"
        self._update_copy(index)
        self._show_request(index)
        box.layout.display = None

    # -- requests ---------------------------------------------------------------------

    def requests(self) -> dict[str, MentorRequest]:
        """The participant's requests as they stand (what they sent, with the answers), by
        mentor email."""
        found = requests_of(self.sent.values(), self.answers)
        return {request.mentor_email: request for request in found}

    def _send_request(self, index: int) -> None:
        email = self.choices[index].value
        if email is None or _choice_key(index) in self._repeats():
            return
        self._read_answers()
        mentor = self.by_email[email]
        open_now = taking_new_mentees(mentor, self.today)
        earlier = self.requests()
        try:
            request = send_request(
                email,
                self.outreach[index].value,
                at=datetime.now(UTC),
                earlier=earlier.values(),
                mentor_open=open_now and self.places_left.get(email, 0) > 0,
            )
        except (MentoringError, InvalidInput) as refused:
            problem = str(refused)
            current = earlier.get(email)
            if not open_now and (current is None or current.state == RequestState.WITHDRAWN):
                # Refused as the mentor takes no new mentees: said in their own words.
                problem = f"Your request was not sent: {self._closed_sentence(mentor)}"
            self._show_request(index, problem=problem)
            return
        self.sent[email] = sent_part(request)
        self.autosaver.request(self.document, now=True)
        self._show_requests()

    def _read_answers(self) -> None:
        """The answers as they are now: a mentor may have answered since the page opened."""
        self.answers = self.session.store.answers(
            self.session.workshop.code, self.session.participant.id
        )

    def _withdraw_request(self, index: int) -> None:
        email = self.choices[index].value
        self._read_answers()
        current = self.requests().get(email) if email else None
        if current is None:
            return
        try:
            taken_back = withdraw(current, at=datetime.now(UTC))
        except MentoringError as refused:
            self._show_request(index, problem=str(refused))
            return
        self.sent[taken_back.mentor_email] = sent_part(taken_back)
        self.autosaver.request(self.document, now=True)
        self._show_requests()

    def _show_requests(self) -> None:
        for index in range(len(self.choices)):
            if self.choices[index].value is not None:
                self._show_request(index)

    def _show_request(self, index: int, *, problem: str = "") -> None:
        """The request part of place `index`: where the request stands, in words, and the
        buttons that make sense now."""
        email = self.choices[index].value
        send, take_back = self.send_buttons[index], self.withdraw_buttons[index]
        prospect = self._prospect(email) if email else None
        if prospect is not None:  # a mentor the participant found: they write themselves
            send.layout.display = take_back.layout.display = "none"
            to = f" (at {prospect.email})" if prospect.email else ""
            self.request_lines[index].value = (
                f"<p>{escape(self._mentor_name(email))} is not in the workshop's directory: "
                f"send this message yourself{escape(to)}, by email or where you know them "
                "from.</p>"
            )
            return
        if email is None or email not in self.by_email:
            return
        name = self.by_email[email].name
        request = self.requests().get(email)
        send.description = f"Send as a request to {name}"
        take_back.description = f"Withdraw my request to {name}"
        waiting = request is not None and request.state == RequestState.SENT
        can_send = request is None or request.state == RequestState.WITHDRAWN
        send.layout.display = None if can_send else "none"
        take_back.layout.display = None if waiting else "none"
        lines = []
        if request is not None:
            words = _request_words(request, name, self.session.link(EXPECTATIONS.notebook))
            lines.append(
                f'<div class="mentorkit-request-state mentorkit-request-{request.state.value}">'
                f"{words}</div>"
            )
        mentor = self.by_email[email]
        if can_send and availability_words(mentor, self.today):
            if not problem:  # a refused request says it in its own sentence
                sentence = escape(self._closed_sentence(mentor))
                lines.append(f'<p class="mentorkit-closed">{sentence}</p>')
        elif can_send and self.places_left.get(email, 0) <= 0:
            lines.append(f"<p>{escape(name)} has no places left at the moment.</p>")
        if problem:
            lines.append(f'<p class="mentorkit-problem" role="alert">{escape(problem)}</p>')
        self.request_lines[index].value = "".join(lines)

    def _closed_sentence(self, mentor: MentorProfile) -> str:
        """Why a request to `mentor` cannot be sent now, in the directory's words: 'Ada is
        not taking new mentees at the moment.', 'Ada is taking new mentees from Monday 4
        January 2027; send your request then, or ask another mentor.'"""
        words = availability_words(mentor, self.today)
        if words.startswith("not "):
            return f"{mentor.name} is {words} at the moment."
        return f"{mentor.name} is {words}; send your request then, or ask another mentor."

    def _update_copy(self, index: int) -> None:
        email = self.choices[index].value
        if email is None:
            self.copy[index].value = ""
            return
        name = self._mentor_name(email)
        self.copy[index].value = copy_button(self.outreach[index].value, f"Copy message to {name}")

    # -- the directory ----------------------------------------------------------------

    def current_filter(self) -> DirectoryFilter:
        """The filters as chosen in the page."""
        return DirectoryFilter(
            industry=self.industry.value,
            expertise=self.expertise.value,
            format=self.format.value,
            time_zone=self.time_zone.value,
            language=self.language.value,
            tag=self.tag.value,
            places_left_only=bool(self.places_left_only.value),
        )

    def _competency(self, competency_id: str) -> str:
        return self.competency_names.get(competency_id) or competency_id.replace("-", " ")

    def _expertise_text(self, expertise: Sequence[str]) -> str:
        """The competencies as names, a whole area as its name ("Leadership (all)")."""
        offered = set(expertise)
        parts: list[str] = []
        for area in self.framework.areas:
            ids = [c.id for c in area.competencies]
            if len(ids) > 1 and offered.issuperset(ids):
                parts.append(f"{area.name} (all)")
            else:
                parts.extend(self._competency(cid) for cid in ids if cid in offered)
        known = set(self.competency_names)
        parts.extend(self._competency(cid) for cid in expertise if cid not in known)
        return ", ".join(parts)

    def _render_directory(self) -> None:
        chosen = self.current_filter()
        self.matching = [item for item in self.ranking if chosen.admits(item)]
        self.shown = self.matching if self.show_all.value else self.matching[:TOP_COUNT]
        total, matching = len(self.ranking), len(self.matching)
        if total == 0:
            text = "This workshop's mentor directory is empty for now: your facilitator adds it."
        elif matching == 0:
            text = f"No mentor matches these filters. Set a filter back to “{ANY}” to see more."
        elif len(self.shown) < matching:
            text = (
                f"Showing the {len(self.shown)} best fits of the {matching} mentors that match "
                "your filters. Tick “Show all matching mentors” to see the rest."
            )
        elif matching < total:
            text = f"Showing all {matching} mentors that match your filters, best fit first."
        else:
            text = f"Showing all {matching} mentors, best fit first."
        self.count.value = f'<p role="status">{escape(text)}</p>'
        picked = {c.value: i + 1 for i, c in enumerate(self.choices) if c.value}
        cards = "".join(self._card(item, picked.get(item.mentor.email)) for item in self.shown)
        self.directory.value = (
            f'<ol class="mentorkit-directory" aria-label="Mentors">{cards}</ol>' if cards else ""
        )

    def _card(self, item: MentorFit, choice: int | None) -> str:
        mentor = item.mentor
        role = " · ".join(p for p in (mentor.title, mentor.organization, mentor.industry) if p)
        expertise = self._expertise_text(mentor.expertise) or "none listed"
        tags = (
            f"<li><strong>Other topics:</strong> {escape(', '.join(mentor.tags))}</li>"
            if mentor.tags
            else ""
        )
        formats = ", ".join(f.value for f in mentor.formats) or "not listed"
        years = (
            f"<li><strong>Experience:</strong> {mentor.years_experience} years</li>"
            if mentor.years_experience is not None
            else ""
        )
        languages = ", ".join(mentor.languages) or "not listed"
        summary = item.summary[:1].upper() + item.summary[1:]
        badge = (
            f'<p class="mentorkit-picked">On your shortlist: choice {choice}</p>' if choice else ""
        )
        closed = availability_words(mentor, self.today)
        if closed:
            places = closed
        elif item.places_left > 0:
            places = f"{item.places_left} place{'s' if item.places_left != 1 else ''} left"
        else:
            places = "no places left"
        bio = f'<p class="mentorkit-bio">{html_text(mentor.bio)}</p>' if mentor.bio else ""
        return (
            '<li class="mentorkit-card mentorkit-mentor">'
            f"<h3>{escape(mentor.name)}</h3>"
            f'<p class="mentorkit-muted">{escape(role)}</p>{badge}'
            f'<p class="mentorkit-why"><strong>Why:</strong> {escape(summary)}</p>'
            '<ul class="mentorkit-facts">'
            f"<li><strong>Expertise:</strong> {escape(expertise)}</li>{tags}"
            f"<li><strong>Meets:</strong> {escape(formats)}</li>"
            f"<li><strong>Time zone:</strong> {escape(mentor.time_zone or 'not listed')}</li>"
            f"<li><strong>Languages:</strong> {escape(languages)}</li>"
            f"<li><strong>Places:</strong> {escape(places)}</li>{years}"
            f"</ul>{bio}</li>"
        )

    # -- mentors the participant found -------------------------------------------------

    def _prospect_row(self, number: int, saved: ProspectiveMentor | None) -> ProspectRow:
        """Row `number`: a saved mentor keeps their id; a new one gets an id no mentor on
        the list, and no message kept on this page, has had."""
        if saved is not None:
            return ProspectRow(saved.id, number, saved)
        taken = [row.prospect_id for row in self.found.rows] + list(self.messages)
        return ProspectRow(next_prospect_id(taken), number, None)

    def _found_ids(self) -> set[str]:
        """The ids of the mentors the participant found and has started writing down."""
        return {row.prospect_id for row in self.found.started()}

    def _prospect(self, key: str) -> ProspectiveMentor | None:
        """The mentor the participant found with this id, as typed so far (what does not
        validate left out), or None for a mentor of the directory."""
        row = next((r for r in self.found.started() if r.prospect_id == key), None)
        if row is None:
            return None
        document = check(ProspectiveMentor, row.data()).document
        assert isinstance(document, ProspectiveMentor)
        return document

    def _mentor_name(self, key: str) -> str:
        if key in self.by_email:
            return self.by_email[key].name
        prospect = self._prospect(key)
        return (prospect.name if prospect else "") or "the mentor you found"

    def _choice_labels(self) -> dict[str, str]:
        """Every mentor a place offers: the directory's, then those the participant found
        (in the order they were added, so that a new one never moves another's place)."""
        return {**self.labels, **{row.prospect_id: row.label() for row in self.found.started()}}

    def _choice_options(self) -> list[tuple[str, Any]]:
        return choices(self._choice_labels())

    def _prospects_changed(self) -> None:
        """A mentor the participant found was written, changed or removed: offer them in
        the places as they are now, rank them again, and save."""
        options = self._choice_options()
        offered = {value for _label, value in options}
        dropped = False
        self._quiet = True
        try:
            for choice in self.choices:
                if list(choice.options) == options:
                    continue
                kept = choice.value
                choice.options = options
                if kept in offered:
                    choice.value = kept
                else:
                    dropped = dropped or kept is not None
        finally:
            self._quiet = False
        if dropped:  # a chosen mentor was removed: their place is free again
            for index in range(len(self.choices)):
                self._show_details(index)
        self._show_found()
        self.autosaver.request(self.document)

    def _show_found(self) -> None:
        """Each mentor the participant found: where they rank among those found, why, and
        what of what they are good at the framework knows."""
        started = self.found.started()
        prospects = [self._prospect(row.prospect_id) for row in started]
        ranked = rank_found(
            self.assessment,
            [p for p in prospects if p is not None],
            self.framework,
            self.vocabulary,
            today=self.today,
        )
        place = {item.mentor.prospect.id: (number, item) for number, item in enumerate(ranked, 1)}
        for row in self.found.rows:
            found = place.get(row.prospect_id)
            row.fit.value = "" if found is None else self._fit_html(*found, len(ranked))

    def _fit_html(self, number: int, item: ProspectFit, total: int) -> str:
        names = [self._competency(cid) for cid in item.mentor.expertise]
        known = (
            f"<li><strong>Good at (from the workshop's list):</strong> "
            f"{escape(', '.join(names))}</li>"
            if names
            else ""
        )
        other = (
            f"<li><strong>Other topics:</strong> {escape(', '.join(item.mentor.other_topics))}</li>"
            if item.mentor.other_topics
            else ""
        )
        why = item.fit.summary or "tell what they are good at, and they are ranked on it"
        rank = f" (best fit {number} of the {total} you found)" if total > 1 else ""
        return (
            f'<p class="mentorkit-why"><strong>Why{escape(rank)}:</strong> '
            f"{escape(why[:1].upper() + why[1:])}</p>"
            f'<ul class="mentorkit-facts">{known}{other}</ul>'
        )

    # -- the document -----------------------------------------------------------------

    def _chosen_slots(self) -> list[int]:
        """The slots holding a mentor of the directory not chosen in an earlier slot, in
        order: entry N is the Nth."""
        repeats = self._repeats()
        found = self._found_ids()
        return [
            i
            for i, choice in enumerate(self.choices)
            if (choice.value in self.by_email or choice.value in found)
            and _choice_key(i) not in repeats
        ]

    def _bind_entries(self) -> None:
        bindings: dict[str, tuple[widgets.Widget, widgets.HTML]] = {}
        for entry, index in enumerate(self._chosen_slots()):
            line = self.problem_lines[index]
            bindings[f"entries.{entry}.note"] = (self.notes[index], line)
            bindings[f"entries.{entry}.outreach_message"] = (self.outreach[index], line)
        self.fields.bind_rows("entries", bindings)
        self.fields.bind_rows("prospects", self.found.bindings("prospects"))

    def document(self) -> MentorShortlist:
        """The shortlist as a document: what is valid, and what is not kept as typed."""
        self._bind_entries()
        found = self._found_ids()
        entries = [
            {
                "prospect" if self.choices[index].value in found else "mentor_email": (
                    self.choices[index].value
                ),
                "note": self.notes[index].value,
                "outreach_message": self.outreach[index].value,
            }
            for index in self._chosen_slots()
        ]
        requests = [request.model_dump(mode="json") for request in self.sent.values()]
        unnamed = {
            f"prospects.{number}.name": "write their name, so that you can choose them"
            for number, row in enumerate(self.found.started())
            if not row.name.value.strip()
        }
        document = self.fields.document(
            {"entries": entries, "requests": requests, "prospects": self.found.data()},
            problems={**self._repeats(), **unnamed},
        )
        assert isinstance(document, MentorShortlist)
        return document


def _request_words(request: MentorRequest, name: str, expectations_link: str) -> str:
    """Where a request stands, as HTML: the mentor's name and reply are escaped.

    Moments are `time_html` elements, which the page shows in the reader's own time zone
    ("14:02" today, else "6 Dec 2026, 14:02"): a date worked out here would be the
    server's, a day early for a request sent early in the morning in Asia. Hence "at",
    which reads right before either form.
    """
    who = escape(name)
    if request.state == RequestState.WITHDRAWN:
        return f"<p>You withdrew your request to {who}. You can send it again.</p>"
    if request.state == RequestState.SENT:
        return (
            f'<p role="status"><strong>Request sent</strong> to {who} at '
            f"{time_html(request.sent_at)}: waiting for an answer.</p>"
        )
    assert request.answered_at is not None
    when = time_html(request.answered_at)
    by_facilitator = request.answered_by == Answerer.FACILITATOR
    reply = (
        f'<p class="mentorkit-reply">{html_text(request.reply)}</p>'
        if request.reply.strip()
        else ""
    )
    link = escape(expectations_link, quote=True)
    if request.state == RequestState.ACCEPTED:
        opening = (
            f"Your facilitator paired you with {who}"
            if by_facilitator
            else f"{who} accepted your request"
        )
        return (
            f'<p role="status"><strong>{opening}</strong> at {when}.</p>{reply}'
            f'<p>Next: agree your expectations together in <a href="{link}">Expectations</a>.</p>'
        )
    opening = (
        f"Your facilitator has not paired you with {who}"
        if by_facilitator
        else f"{who} declined your request"
    )
    return (
        f'<p role="status"><strong>{opening}</strong> at {when}.</p>{reply}'
        "<p>Don't let it stop you: ask the next mentor on your list.</p>"
    )


def _choice_key(index: int) -> str:
    """The input name of place `index` (0-based): 'choice_1' … (not a document field; a
    repeated choice is kept in the draft under it)."""
    return f"choice_{index + 1}"


def mentor_shortlist_app(
    *, store: Store | None = None, environ: Mapping[str, str] | None = None
) -> WorksheetApp:
    """The Mentor shortlist app (the notebook 02_mentor_shortlist calls this)."""
    return worksheet_app("02_mentor_shortlist", MentorShortlistView, store=store, environ=environ)
