"""The mentoring agreement: default terms, the meeting schedule, and its printable forms.

Pure functions: text, HTML and an iCalendar file are built from the models passed in.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, TypedDict
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mentorkit.errors import InvalidInput
from mentorkit.mentoring import Confirmation, Side, agreement_status
from mentorkit.models import (
    Frequency,
    MeetingFormat,
    MentoringAgreement,
    MentorProfile,
    Participant,
    ProspectiveMentor,
    RoleRow,
    SmartGoal,
    Workshop,
)
from mentorkit.rendering import html_environment, long_date, markdown_environment, weekday_date

if TYPE_CHECKING:
    from icalendar import Event

#: The agreement's mentor: one of the workshop's directory, or one the participant found.
AgreementMentor = MentorProfile | ProspectiveMentor

PRODID = "-//mentorkit//mentorkit//EN"
DEFAULT_MEETING_MINUTES = 45
#: The most meetings a schedule lists: weekly for over two years, monthly for ten.
MAX_MEETINGS = 120
DEFAULT_HORIZON_MONTHS = 6

DEFAULT_ROLES: tuple[RoleRow, ...] = (
    RoleRow(
        area="Goals",
        mentor_focus="Helps sharpen the goals and asks how each one fits the bigger picture.",
        mentee_focus="Brings the goals, keeps them up to date and decides what to work on.",
    ),
    RoleRow(
        area="Regularity",
        mentor_focus="Keeps the agreed meetings and says early when one has to move.",
        mentee_focus="Books the meetings, keeps them and reschedules in good time.",
    ),
    RoleRow(
        area="Preparation",
        mentor_focus="Reads the agenda beforehand and thinks of useful examples or contacts.",
        mentee_focus="Sends a short agenda a few days before each meeting.",
    ),
    RoleRow(
        area="Feedback",
        mentor_focus="Gives honest, specific and kind feedback, and asks for feedback too.",
        mentee_focus="Asks for feedback on what matters and says what helps and what does not.",
    ),
    RoleRow(
        area="Confidentiality",
        mentor_focus="Keeps what is shared private unless the mentee agrees otherwise.",
        mentee_focus="Keeps what is shared private and asks before passing anything on.",
    ),
    RoleRow(
        area="Follow-up",
        mentor_focus="Follows up on the actions they took on and shares what they promised.",
        mentee_focus="Notes the actions after each meeting and reports progress next time.",
    ),
)

DEFAULT_CONFIDENTIALITY = (
    "What we discuss stays between us. Neither of us shares the other's personal or work "
    "matters without asking first. The one exception is a risk of serious harm, which we "
    "may raise with someone who can help."
)
DEFAULT_FEEDBACK_STYLE = (
    "Direct and kind: specific examples, what went well and what could be better. We ask "
    "each other for feedback on how the mentoring is going at the review date."
)
DEFAULT_BOUNDARIES = (
    "We meet at the agreed times and keep messages in between short. The mentor does not "
    "act as line manager, recruiter or sponsor unless both of us agree. Either of us can "
    "say that a topic is off limits."
)
DEFAULT_EXIT_CLAUSE = (
    "Either of us may end the mentoring relationship at any time, with a short note to the "
    "other. No explanation is needed: ending it is nobody's fault."
)

_TEXT_DEFAULTS: dict[str, str] = {
    "confidentiality": DEFAULT_CONFIDENTIALITY,
    "feedback_style": DEFAULT_FEEDBACK_STYLE,
    "boundaries": DEFAULT_BOUNDARIES,
    "exit_clause": DEFAULT_EXIT_CLAUSE,
}

_STEP_DAYS: dict[Frequency, int] = {Frequency.WEEKLY: 7, Frequency.FORTNIGHTLY: 14}
_STEP_MONTHS: dict[Frequency, int] = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3}


def with_defaults(agreement: MentoringAgreement) -> MentoringAgreement:
    """A copy of `agreement` whose empty text fields and empty roles hold the defaults."""
    update: dict[str, Any] = {
        field: text for field, text in _TEXT_DEFAULTS.items() if not getattr(agreement, field)
    }
    if not agreement.roles:
        update["roles"] = [role.model_copy() for role in DEFAULT_ROLES]
    return agreement.model_copy(update=update, deep=True)


# ---------------------------------------------------------------------------------------
# The meeting schedule

#: Saturday and Sunday (`date.weekday()`): no meeting is scheduled on them.
WEEKEND = frozenset({5, 6})
_ORDINALS = ("first", "second", "third", "fourth")


def add_months(day: date, months: int) -> date:
    """The same day `months` later, moved back to the month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def first_meeting_day(start: date) -> date:
    """The start date, or the Monday after it when it falls on a weekend."""
    while start.weekday() in WEEKEND:
        start += timedelta(days=1)
    return start


def weekday_of_month(day: date) -> int:
    """Which of its month's Mondays (Tuesdays, …) `day` is: 1 to 4, or -1 for a fifth (last)."""
    n = (day.day - 1) // 7 + 1
    return -1 if n == 5 else n


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The `n`th `weekday` (0 = Monday) of the month, 1 to 4; -1 for the last one."""
    if n == -1:
        last = date(year, month, calendar.monthrange(year, month)[1])
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _month_step(first: date, months: int) -> date:
    """The meeting `months` after `first`: the same weekday of the month (2nd Tuesday …)."""
    index = first.month - 1 + months
    year, month = first.year + index // 12, index % 12 + 1
    return nth_weekday(year, month, first.weekday(), weekday_of_month(first))


def schedule_rule(frequency: Frequency, first: date) -> str:
    """The rule in words: 'every Tuesday', 'the second Tuesday of each month', …"""
    weekday = f"{first:%A}"
    if frequency is Frequency.WEEKLY:
        return f"every {weekday}"
    if frequency is Frequency.FORTNIGHTLY:
        return f"every other {weekday}"
    n = weekday_of_month(first)
    which = "last" if n == -1 else _ORDINALS[n - 1]
    months = "each month" if frequency is Frequency.MONTHLY else "every third month"
    return f"the {which} {weekday} of {months}"


@dataclass(frozen=True)
class MeetingSchedule:
    """The meeting dates and, in words, how they were chosen and where the list stops.

    `rule` is how the dates repeat ('the second Tuesday of each month'); `moved_from` is a
    start date that fell on a weekend (the first meeting is the Monday after); `open_ended`
    says there is no end date, so only the first `DEFAULT_HORIZON_MONTHS` months are listed;
    `capped` says more meetings fit before the end date than the `MAX_MEETINGS` listed.
    """

    dates: tuple[date, ...] = ()
    rule: str = ""
    moved_from: date | None = None
    open_ended: bool = False
    capped: bool = False
    end_on: date | None = None

    def notes(self) -> list[str]:
        """Sentences for the page under the dates: the rule, and why the list ends there."""
        if not self.dates:
            if not self.rule:
                return []
            return [
                "No weekday falls between the start date and the end date, so there is no "
                "meeting yet: move the end date later."
            ]
        first, last = self.dates[0], self.dates[-1]
        notes = [f"We meet {self.rule}, from {weekday_date(first)}."]
        if self.moved_from is not None:
            notes.append(
                f"The start date, {weekday_date(self.moved_from)}, falls on a weekend, so the "
                "first meeting is on the Monday after; no meeting falls on a weekend."
            )
        if self.capped:
            notes.append(
                f"Only the first {MAX_MEETINGS} meetings are listed, up to {weekday_date(last)}; "
                f"the agreement runs until {long_date(self.end_on)}."
            )
        elif self.open_ended:
            notes.append(
                f"No end date yet: these are the meetings of the first {DEFAULT_HORIZON_MONTHS} "
                "months. Choose an end date to list every meeting."
            )
        return notes


def meeting_schedule(agreement: MentoringAgreement) -> MeetingSchedule:
    """The meeting dates from the start date at the agreed frequency, in the rule a diary keeps.

    - The first meeting is on the start date, or on the Monday after it when the start date
      is a Saturday or a Sunday.
    - Weekly and fortnightly meetings keep the first meeting's weekday, every 7 or 14 days.
    - Monthly and three-monthly meetings keep the first meeting's weekday *of the month*:
      a first meeting on the 2nd Tuesday gives the 2nd Tuesday of each later month. A first
      meeting in the 5th week (29th to 31st) gives the last such weekday of each month.
      So no meeting ever lands on a weekend.
    - The dates run up to and including the end date. Without one they cover the first
      `DEFAULT_HORIZON_MONTHS` months and say so (`open_ended`); at most `MAX_MEETINGS` are
      listed, and `capped` says when the end date would allow more.
    """
    start, frequency = agreement.start_on, agreement.frequency
    if start is None or frequency is None:
        return MeetingSchedule()
    end = agreement.end_on
    last = end if end is not None else add_months(start, DEFAULT_HORIZON_MONTHS) - timedelta(1)
    first = first_meeting_day(start)
    dates: list[date] = []
    step = 0
    capped = False
    while True:
        if frequency in _STEP_DAYS:
            day = first + timedelta(days=_STEP_DAYS[frequency] * step)
        else:
            day = _month_step(first, _STEP_MONTHS[frequency] * step)
        if day > last:
            break
        if len(dates) == MAX_MEETINGS:
            capped = True
            break
        dates.append(day)
        step += 1
    return MeetingSchedule(
        dates=tuple(dates),
        rule=schedule_rule(frequency, first),
        moved_from=start if first != start else None,
        open_ended=end is None,
        capped=capped,
        end_on=end,
    )


def meeting_dates(agreement: MentoringAgreement) -> list[date]:
    """The meeting dates of `meeting_schedule` (its docstring gives the rules)."""
    return list(meeting_schedule(agreement).dates)


# ---------------------------------------------------------------------------------------
# Meeting times and time zones


def meeting_zone(agreement: MentoringAgreement, participant_zone: str | None) -> str | None:
    """The time zone the meeting time is agreed in: the agreement's, else the participant's."""
    return agreement.time_zone or participant_zone


def clock_zones(
    agreement: MentoringAgreement,
    *,
    participant_name: str,
    participant_zone: str | None,
    mentor: AgreementMentor | None,
) -> list[tuple[str, str]]:
    """The zones to show a meeting time in, as (zone, who lives by it) pairs.

    The agreed zone comes first; the participant's and the mentor's follow when they differ
    from it, so that each of the two reads the time on their own clock. Empty when no zone
    is known (the time is then local to whoever reads it).
    """
    zone = meeting_zone(agreement, participant_zone)
    if zone is None:
        return []
    people = [(participant_zone, participant_name)]
    if isinstance(mentor, MentorProfile):  # a mentor the participant found gave no zone
        people.append((mentor.time_zone, mentor.name))
    zones: dict[str, list[str]] = {zone: []}
    for their_zone, name in people:
        if their_zone and name:
            zones.setdefault(their_zone, []).append(name)
    if len(zones) == 1:
        return [(zone, "")]
    return [(z, " and ".join(names)) for z, names in zones.items()]


def meeting_start(agreement: MentoringAgreement, day: date, zone: str | None) -> datetime | None:
    """When the meeting on `day` starts (aware in `zone`, naive without one); None if no time."""
    if agreement.meeting_time is None:
        return None
    return datetime.combine(day, agreement.meeting_time, tzinfo=_zone(zone))


def clock_text(start: datetime, zones: Sequence[tuple[str, str]]) -> str:
    """'18:00 Europe/Berlin (Amelia) · 12:00 America/New_York (Zoë)', or '18:00' alone.

    A time that falls on another day in a zone names that day ('00:30 Wed Asia/Tokyo').
    """
    if not zones:
        return f"{start:%H:%M}"
    parts = []
    for zone, who in zones:
        local = start.astimezone(ZoneInfo(zone))
        day = f" {local:%a}" if local.date() != start.date() else ""
        parts.append(f"{local:%H:%M}{day} {zone}" + (f" ({who})" if who else ""))
    return " · ".join(parts)


class Meeting(TypedDict):
    """One meeting in `schedule_view`: its date and its time in every zone that matters."""

    day: date
    time: str


def schedule_view(
    agreement: MentoringAgreement,
    *,
    participant_name: str,
    participant_zone: str | None,
    mentor: AgreementMentor | None,
) -> dict[str, Any]:
    """The meetings for the templates: each date with its time in every zone that matters,
    the "Meeting time" term, the schedule's notes, and whether a schedule is set at all."""
    schedule = meeting_schedule(agreement)
    zone = meeting_zone(agreement, participant_zone)
    zones = clock_zones(
        agreement,
        participant_name=participant_name,
        participant_zone=participant_zone,
        mentor=mentor,
    )
    meetings: list[Meeting] = []
    for day in schedule.dates:
        start = meeting_start(agreement, day, zone)
        text = ""
        if start is not None:
            text = clock_text(start, zones) if len(zones) > 1 else f"{start:%H:%M}"
        meetings.append({"day": day, "time": text})
    if agreement.meeting_time is None:
        time_term = ""
    elif not zone:
        time_term = f"{agreement.meeting_time:%H:%M} local time"
    elif not schedule.dates or len(zones) == 1:
        time_term = f"{agreement.meeting_time:%H:%M} {zone} time"
    else:
        time_term = meetings[0]["time"]
        if any(meeting["time"] != time_term for meeting in meetings):
            time_term += (
                " at the first meeting; daylight saving time changes the difference, so "
                "each date below gives its own"
            )
    return {
        "meetings": meetings,
        "meeting_time": time_term,
        "schedule_notes": schedule.notes(),
        "schedule_set": agreement.start_on is not None and agreement.frequency is not None,
    }


# ---------------------------------------------------------------------------------------
# Rendering


def relationship_goals(
    agreement: MentoringAgreement, goals: Sequence[SmartGoal] = ()
) -> tuple[list[str], bool]:
    """The goals for the relationship, and whether they were taken from the SMART goals."""
    if agreement.relationship_goals:
        return list(agreement.relationship_goals), False
    titles = [goal.title for goal in goals]
    return titles, bool(titles)


def agreement_mentor(
    agreement: MentoringAgreement,
    mentors: Mapping[str, MentorProfile],
    found: Iterable[ProspectiveMentor] = (),
) -> AgreementMentor | None:
    """The mentor `agreement` names: one of the directory's `mentors` (by email), or one
    of the mentors the participant `found` (their shortlist's, by id). None when it names
    nobody, or somebody no longer there (a mentor removed from the shortlist since)."""
    if agreement.mentor_prospect is not None:
        return next((p for p in found if p.id == agreement.mentor_prospect), None)
    return mentors.get(agreement.mentor_email or "")


def mentor_name(agreement: MentoringAgreement, mentor: AgreementMentor | None) -> str:
    """How the agreement names its mentor (`mentor`, see `agreement_mentor`): by name, else
    by the email chosen; '' when it names nobody the page knows by name."""
    if mentor is not None:
        return mentor.name
    return agreement.mentor_email or ""


def agreement_terms(
    agreement: MentoringAgreement,
    *,
    mentor: AgreementMentor | None,
    goals: Sequence[SmartGoal] = (),
    participant: Participant | None = None,
    tz: str | None = None,
) -> dict[str, Any]:
    """The key terms as template values: mentor, goals, the "how we meet" list and the
    meetings (see `schedule_view`); `tz` is the participant's own time zone."""
    shown_goals, from_smart = relationship_goals(agreement, goals)
    minutes = agreement.meeting_minutes
    schedule = schedule_view(
        agreement,
        participant_name=participant.name if participant else "",
        participant_zone=tz,
        mentor=mentor,
    )
    return {
        "mentor_name": mentor_name(agreement, mentor),
        "mentor_role": ", ".join(p for p in (mentor.title, mentor.organization) if p)
        if isinstance(mentor, MentorProfile)
        else "",
        "mentor_email": (mentor.email or "") if mentor else agreement.mentor_email or "",
        "goals": shown_goals,
        "goals_from_smart": from_smart,
        "terms": [
            ("Frequency", agreement.frequency.value if agreement.frequency else ""),
            ("Meeting time", schedule["meeting_time"]),
            ("Meeting length", f"{minutes} minutes" if minutes else ""),
            ("Channel", agreement.channel.value if agreement.channel else ""),
            ("Start date", long_date(agreement.start_on)),
            ("Review date", long_date(agreement.review_on)),
            ("End date", long_date(agreement.end_on)),
        ],
        **schedule,
    }


#: Weekdays by name, the same in every locale (strftime's %A follows the locale).
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def utc_moment(when: datetime) -> str:
    """A moment written plainly in UTC, the same in every locale: 'Monday 11 January 2027,
    09:00 UTC' (a naive `when` is taken as the server's local time)."""
    moment = when.astimezone(UTC)
    return f"{_WEEKDAYS[moment.weekday()]} {long_date(moment.date())}, {moment:%H:%M} UTC"


def confirmed_view(
    agreement: MentoringAgreement, confirmations: Sequence[Confirmation] = ()
) -> dict[str, Any]:
    """The "Confirmed" section: each side's confirmation of this version of the agreement
    (mentor first, as the signatures), and whether an earlier version was confirmed. With
    a mentor the participant found (`on_paper`), nobody confirms on mentorkit: the two
    sign the printout."""
    if agreement.mentor_prospect is not None:
        return {"sides": [], "confirm_again": False, "on_paper": True}
    status = agreement_status(agreement, confirmations)
    sides = []
    for side in (Side.MENTOR, Side.MENTEE):
        given = status.current.get(side)
        sides.append(
            {
                "side": side.value,
                "label": side.value.capitalize(),
                "name": given.name if given else "",
                "at": utc_moment(given.at) if given else "",
            }
        )
    return {"sides": sides, "confirm_again": status.changed_since_confirmed, "on_paper": False}


def agreement_context(
    agreement: MentoringAgreement,
    *,
    participant: Participant,
    mentor: AgreementMentor | None,
    workshop: Workshop,
    goals: Sequence[SmartGoal] = (),
    tz: str | None = None,
    confirmations: Sequence[Confirmation] = (),
) -> dict[str, Any]:
    """The values both agreement templates show, with the default terms filled in; `tz` is
    the participant's own time zone (from the self-assessment); `confirmations` every
    confirmation of the agreement's record (those of this version are shown)."""
    full = with_defaults(agreement)
    return {
        # The version confirmed is the agreement as stored, not with the defaults filled in.
        "confirmed": confirmed_view(agreement, confirmations),
        **agreement_terms(full, mentor=mentor, goals=goals, participant=participant, tz=tz),
        "workshop": {"name": workshop.name},
        "participant": {"name": participant.name, "email": participant.email},
        "roles": [
            {"area": r.area, "mentor_focus": r.mentor_focus, "mentee_focus": r.mentee_focus}
            for r in full.roles
        ],
        "sections": [
            ("Confidentiality", full.confidentiality),
            ("Feedback", full.feedback_style),
            ("Boundaries", full.boundaries),
            ("No-fault exit", full.exit_clause),
        ],
    }


def agreement_markdown(
    agreement: MentoringAgreement,
    *,
    participant: Participant,
    mentor: AgreementMentor | None,
    workshop: Workshop,
    goals: Sequence[SmartGoal] = (),
    tz: str | None = None,
    confirmations: Sequence[Confirmation] = (),
) -> str:
    """The agreement as Markdown (defaults filled in), with every user string escaped, and
    who confirmed this version of it (`confirmations`: the agreement's record)."""
    context = agreement_context(
        agreement,
        participant=participant,
        mentor=mentor,
        workshop=workshop,
        goals=goals,
        tz=tz,
        confirmations=confirmations,
    )
    return markdown_environment().get_template("agreement.md.j2").render(context)


def agreement_html(
    agreement: MentoringAgreement,
    *,
    participant: Participant,
    mentor: AgreementMentor | None,
    workshop: Workshop,
    goals: Sequence[SmartGoal] = (),
    tz: str | None = None,
    confirmations: Sequence[Confirmation] = (),
) -> str:
    """The agreement as a standalone, print-ready HTML5 document with who confirmed this
    version of it (`confirmations`: the agreement's record) and signature lines."""
    context = agreement_context(
        agreement,
        participant=participant,
        mentor=mentor,
        workshop=workshop,
        goals=goals,
        tz=tz,
        confirmations=confirmations,
    )
    return html_environment().get_template("agreement.html.j2").render(context)


# ---------------------------------------------------------------------------------------
# A term in words

#: How a term reads while it is empty, as the printable agreement fills it in.
_EMPTY_TERMS: dict[str, str] = {
    "relationship_goals": "none written (the titles of the SMART goals are used)",
    "time_zone": "the mentee's own time zone",
    "roles": "the standard roles table",
    **{name: "the standard wording" for name in _TEXT_DEFAULTS},
}


def term_words(term: str, value: object) -> str:
    """A term of the agreement as stored (its JSON value, as a suggestion holds it), in
    plain words as the worksheet and the printout write it: 'Every two weeks',
    '11 January 2027', '18:30', '45 minutes', 'the standard wording'. A value that is not
    what the term holds is shown as it is."""
    if value is None or value == "" or value == []:
        return _EMPTY_TERMS.get(term, "not set")
    try:
        if term == "frequency":
            return Frequency(str(value)).value.capitalize()
        if term == "channel":
            return MeetingFormat(str(value)).value.capitalize()
        if term in ("start_on", "review_on", "end_on"):
            return long_date(date.fromisoformat(str(value)))
        if term == "meeting_time":
            return f"{time.fromisoformat(str(value)):%H:%M}"
        if term == "meeting_minutes" and isinstance(value, int):
            return f"{value} minutes"
        if term == "relationship_goals" and isinstance(value, list):
            return "; ".join(str(goal) for goal in value)
        if term == "roles" and isinstance(value, list):
            return "\n".join(
                f"{role.get('area', '')}: mentor — {role.get('mentor_focus', '')}; "
                f"mentee — {role.get('mentee_focus', '')}"
                for role in value
                if isinstance(role, dict)
            )
    except ValueError:
        pass  # not a value the term holds: shown as it is, below
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


# ---------------------------------------------------------------------------------------
# Calendar


def _zone(tz: str | None) -> ZoneInfo | None:
    if not tz:
        return None
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            [f"Time zone: '{tz}' is not a time zone name such as Europe/Berlin"]
        ) from None


def _all_day_event(uid: str, stamp: datetime, day: date, summary: str, text: str) -> Event:
    from icalendar import Event  # imported when a calendar is made, not with the app

    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary)
    event.add("description", text)
    event.add("transp", "TRANSPARENT")
    return event


def agreement_calendar(
    agreement: MentoringAgreement,
    *,
    participant: Participant,
    mentor: AgreementMentor | None,
    workshop: Workshop,
    tz: str | None = None,
    goals: Sequence[SmartGoal] = (),
    stamp: datetime | None = None,
) -> bytes:
    """The meetings (plus review and end dates) as an RFC 5545 iCalendar file.

    Each meeting starts at the agreement's meeting time in its time zone, or in `tz` (the
    participant's own, from the self-assessment) when the agreement names none: DTSTART
    carries the TZID and the file its VTIMEZONE; with no zone at all the time is floating
    (local to each calendar). DURATION is the meeting length (45 minutes when not set).
    Until a meeting time is chosen the meetings are all-day entries marked "time to be
    agreed", rather than a made-up hour. When the mentor lives in another zone the
    description gives the time on their clock too. UIDs depend only on the participant and
    the date, so importing a new version updates the old events. `stamp` is the DTSTAMP
    (now, in UTC, by default).
    """
    from icalendar import Calendar, Event  # imported when a calendar is made, not with the app

    zone = meeting_zone(agreement, tz)
    _zone(zone)  # an unknown zone is refused in plain words before anything is built
    stamp = (stamp or datetime.now(UTC)).astimezone(UTC)
    minutes = agreement.meeting_minutes or DEFAULT_MEETING_MINUTES
    named = mentor_name(agreement, mentor)
    pair = f"{participant.name} & {named}" if named else participant.name
    shown_goals, _ = relationship_goals(agreement, goals)
    lines = [f"Mentoring agreement ({workshop.name})."]
    if agreement.channel:
        lines.append(f"Channel: {agreement.channel.value}.")
    if shown_goals:
        lines += ["", "Goals for the relationship:", *(f"- {g}" for g in shown_goals)]
    description = "\n".join(lines)
    zones = clock_zones(
        agreement, participant_name=participant.name, participant_zone=tz, mentor=mentor
    )

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    for day in meeting_dates(agreement):
        start = meeting_start(agreement, day, zone)
        uid = f"{participant.id}-{day:%Y%m%d}@mentorkit"
        if start is None:
            cal.add_component(
                _all_day_event(
                    uid,
                    stamp,
                    day,
                    f"Mentoring: {pair} (time to be agreed)",
                    "Agree a time with your mentor and move this meeting there.\n\n" + description,
                )
            )
            continue
        event = Event()
        event.add("uid", uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("duration", timedelta(minutes=minutes))
        event.add("summary", f"Mentoring: {pair}")
        text = description
        if len(zones) > 1:
            text = f"Time: {clock_text(start, zones)}.\n\n{description}"
        event.add("description", text)
        cal.add_component(event)
    if agreement.review_on is not None:
        cal.add_component(
            _all_day_event(
                f"{participant.id}-review-{agreement.review_on:%Y%m%d}@mentorkit",
                stamp,
                agreement.review_on,
                f"Mentoring review: {pair}",
                "Review date: look back at how the mentoring is going and adjust the "
                "agreement if needed.\n\n" + description,
            )
        )
    if agreement.end_on is not None:
        cal.add_component(
            _all_day_event(
                f"{participant.id}-end-{agreement.end_on:%Y%m%d}@mentorkit",
                stamp,
                agreement.end_on,
                f"Mentoring ends: {pair}",
                "The agreed end of the mentoring relationship.\n\n" + description,
            )
        )
    if zone is not None and agreement.start_on is not None:
        last = agreement.end_on or add_months(agreement.start_on, DEFAULT_HORIZON_MONTHS)
        cal.add_missing_timezones(
            first_date=agreement.start_on - timedelta(days=366),
            last_date=last + timedelta(days=366),
        )
    ical: bytes = cal.to_ical()
    return ical
