"""The mentoring agreement: default terms, the meeting schedule, and its printable forms.

Pure functions: text, HTML and an iCalendar file are built from the models passed in.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mentorkit.errors import InvalidInput
from mentorkit.models import (
    Frequency,
    MentoringAgreement,
    MentorProfile,
    Participant,
    RoleRow,
    SmartGoal,
    Workshop,
)
from mentorkit.plan import html_environment, long_date, markdown_environment

if TYPE_CHECKING:
    from icalendar import Event

PRODID = "-//mentorkit//mentorkit//EN"
DEFAULT_MEETING_MINUTES = 45
MAX_MEETINGS = 60
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


def add_months(day: date, months: int) -> date:
    """The same day `months` later, moved back to the month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def meeting_dates(agreement: MentoringAgreement) -> list[date]:
    """The meeting dates from the start date at the agreed frequency, at most 60.

    Up to and including the end date; without one, for six months (a half-open range, so
    monthly meetings give six dates). Monthly steps count from the start date, so a start
    on 31 January gives 28 (or 29) February, then 31 March.
    """
    start, frequency = agreement.start_on, agreement.frequency
    if start is None or frequency is None:
        return []
    if agreement.end_on is not None:
        last = agreement.end_on
    else:
        last = add_months(start, DEFAULT_HORIZON_MONTHS) - timedelta(days=1)
    dates: list[date] = []
    step = 0
    while len(dates) < MAX_MEETINGS:
        if frequency in _STEP_DAYS:
            day = start + timedelta(days=_STEP_DAYS[frequency] * step)
        else:
            day = add_months(start, _STEP_MONTHS[frequency] * step)
        if day > last:
            break
        dates.append(day)
        step += 1
    return dates


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


def _mentor_name(agreement: MentoringAgreement, mentor: MentorProfile | None) -> str:
    if mentor is not None:
        return mentor.name
    return agreement.mentor_email or ""


def agreement_terms(
    agreement: MentoringAgreement,
    *,
    mentor: MentorProfile | None,
    goals: Sequence[SmartGoal] = (),
) -> dict[str, Any]:
    """The key terms as template values: mentor, goals and the "how we meet" list."""
    shown_goals, from_smart = relationship_goals(agreement, goals)
    minutes = agreement.meeting_minutes
    return {
        "mentor_name": _mentor_name(agreement, mentor),
        "mentor_role": ", ".join(p for p in (mentor.title, mentor.organization) if p)
        if mentor
        else "",
        "mentor_email": mentor.email if mentor else agreement.mentor_email or "",
        "goals": shown_goals,
        "goals_from_smart": from_smart,
        "terms": [
            ("Frequency", agreement.frequency.value if agreement.frequency else ""),
            ("Meeting length", f"{minutes} minutes" if minutes else ""),
            ("Channel", agreement.channel.value if agreement.channel else ""),
            ("Start date", long_date(agreement.start_on)),
            ("Review date", long_date(agreement.review_on)),
            ("End date", long_date(agreement.end_on)),
        ],
    }


def agreement_context(
    agreement: MentoringAgreement,
    *,
    participant: Participant,
    mentor: MentorProfile | None,
    workshop: Workshop,
    goals: Sequence[SmartGoal] = (),
) -> dict[str, Any]:
    """The values both agreement templates show, with the default terms filled in."""
    full = with_defaults(agreement)
    return {
        **agreement_terms(full, mentor=mentor, goals=goals),
        "workshop": {"name": workshop.name},
        "participant": {"name": participant.name, "email": participant.email},
        "meetings": meeting_dates(full),
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
    mentor: MentorProfile | None,
    workshop: Workshop,
    goals: Sequence[SmartGoal] = (),
) -> str:
    """The agreement as Markdown (defaults filled in), with every user string escaped."""
    context = agreement_context(
        agreement, participant=participant, mentor=mentor, workshop=workshop, goals=goals
    )
    return markdown_environment().get_template("agreement.md.j2").render(context)


def agreement_html(
    agreement: MentoringAgreement,
    *,
    participant: Participant,
    mentor: MentorProfile | None,
    workshop: Workshop,
    goals: Sequence[SmartGoal] = (),
) -> str:
    """The agreement as a standalone, print-ready HTML5 document with signature lines."""
    context = agreement_context(
        agreement, participant=participant, mentor=mentor, workshop=workshop, goals=goals
    )
    return html_environment().get_template("agreement.html.j2").render(context)


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
    mentor: MentorProfile | None,
    workshop: Workshop,
    time_of_day: time = time(12, 0),
    tz: str | None = None,
    goals: Sequence[SmartGoal] = (),
    stamp: datetime | None = None,
) -> bytes:
    """The meetings (plus review and end dates) as an RFC 5545 iCalendar file.

    Meetings start at `time_of_day` in the time zone `tz` (the participant's preferred one,
    with its VTIMEZONE), or in floating local time when no zone is given. UIDs depend only
    on the participant and the date, so importing a new version updates the old events.
    `stamp` is the DTSTAMP (now, in UTC, by default).
    """
    from icalendar import Calendar, Event  # imported when a calendar is made, not with the app

    zone = _zone(tz)
    stamp = (stamp or datetime.now(UTC)).astimezone(UTC)
    minutes = agreement.meeting_minutes or DEFAULT_MEETING_MINUTES
    mentor_name = _mentor_name(agreement, mentor)
    pair = f"{participant.name} & {mentor_name}" if mentor_name else participant.name
    shown_goals, _ = relationship_goals(agreement, goals)
    lines = [f"Mentoring agreement ({workshop.name})."]
    if agreement.channel:
        lines.append(f"Channel: {agreement.channel.value}.")
    if shown_goals:
        lines += ["", "Goals for the relationship:", *(f"- {g}" for g in shown_goals)]
    description = "\n".join(lines)

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    for day in meeting_dates(agreement):
        start = datetime.combine(day, time_of_day, tzinfo=zone)
        event = Event()
        event.add("uid", f"{participant.id}-{day:%Y%m%d}@mentorkit")
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=minutes))
        event.add("summary", f"Mentoring: {pair}")
        event.add("description", description)
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
    return cal.to_ical()
