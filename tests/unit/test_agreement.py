"""The mentoring agreement: defaults, meeting dates, Markdown, HTML and the calendar file."""

import re
from datetime import UTC, date, datetime, time, timedelta
from html.parser import HTMLParser

import pytest
from icalendar import Calendar

from mentorkit.agreement import (
    DEFAULT_BOUNDARIES,
    DEFAULT_CONFIDENTIALITY,
    DEFAULT_EXIT_CLAUSE,
    DEFAULT_FEEDBACK_STYLE,
    DEFAULT_ROLES,
    PRODID,
    agreement_calendar,
    agreement_html,
    agreement_markdown,
    meeting_dates,
    with_defaults,
)
from mentorkit.errors import InvalidInput
from mentorkit.models import (
    Frequency,
    MeetingFormat,
    MentoringAgreement,
    MentorProfile,
    Participant,
    RoleRow,
    SmartGoal,
    Workshop,
)

HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def workshop(framework):
    return Workshop(name="Spring cohort", framework=framework)


@pytest.fixture
def participant():
    return Participant(name="Amelia Hartley", email="amelia@example.com")


@pytest.fixture
def mentor():
    return MentorProfile(
        name="Zoë Okonkwo-Hart",
        email="zoe@example.org",
        title="Engineering Manager",
        organization="Northwind Analytics",
        expertise=["negotiation"],
        capacity=2,
    )


@pytest.fixture
def agreement():
    return MentoringAgreement(
        mentor_email="zoe@example.org",
        relationship_goals=["Prepare for a team lead role", "Grow my network in data"],
        frequency=Frequency.MONTHLY,
        meeting_minutes=60,
        channel=MeetingFormat.VIDEO,
        start_on=date(2026, 1, 31),
        review_on=date(2026, 4, 1),
        end_on=date(2026, 6, 30),
        confidentiality="Nothing leaves the room.",
        feedback_style="Straight talk, with examples.",
        boundaries="No calls after 6 pm.\nNo weekend messages.",
        exit_clause="Either of us can stop, no questions asked.",
        roles=[RoleRow(area="Agenda", mentor_focus="Asks questions", mentee_focus="Writes it")],
    )


def render_kwargs(participant, mentor, workshop):
    return {"participant": participant, "mentor": mentor, "workshop": workshop}


class Elements(HTMLParser):
    """Start tags with their attributes, in document order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Elements()
    parser.feed(html)
    parser.close()
    return parser.tags


# ---------------------------------------------------------------------------------------
# Defaults


def test_with_defaults_fills_every_empty_text_field_and_the_roles():
    filled = with_defaults(MentoringAgreement())
    assert filled.confidentiality == DEFAULT_CONFIDENTIALITY
    assert filled.feedback_style == DEFAULT_FEEDBACK_STYLE
    assert filled.boundaries == DEFAULT_BOUNDARIES
    assert filled.exit_clause == DEFAULT_EXIT_CLAUSE
    assert filled.roles == list(DEFAULT_ROLES)


def test_with_defaults_keeps_what_was_typed_and_leaves_the_original_alone(agreement):
    empty = MentoringAgreement(boundaries="Only on Tuesdays.")
    filled = with_defaults(empty)
    assert filled.boundaries == "Only on Tuesdays."
    assert empty.confidentiality == ""
    assert empty.roles == []
    assert with_defaults(agreement) == agreement


def test_with_defaults_gives_each_agreement_its_own_role_rows():
    first, second = with_defaults(MentoringAgreement()), with_defaults(MentoringAgreement())
    first.roles[0].mentor_focus = "Changed"
    assert second.roles[0].mentor_focus == DEFAULT_ROLES[0].mentor_focus != "Changed"


def test_default_roles_cover_the_six_areas_for_both_people():
    assert [role.area for role in DEFAULT_ROLES] == [
        "Goals",
        "Regularity",
        "Preparation",
        "Feedback",
        "Confidentiality",
        "Follow-up",
    ]
    assert all(role.mentor_focus and role.mentee_focus for role in DEFAULT_ROLES)


def test_the_default_exit_clause_is_no_fault():
    text = DEFAULT_EXIT_CLAUSE.lower()
    assert "either of us may end" in text
    assert "at any time" in text
    assert "no explanation is needed" in text


# ---------------------------------------------------------------------------------------
# Meeting dates


def schedule(frequency, start, end=None):
    return meeting_dates(MentoringAgreement(frequency=frequency, start_on=start, end_on=end))


def test_weekly_meetings_run_up_to_and_including_the_end_date():
    dates = schedule(Frequency.WEEKLY, date(2026, 3, 2), date(2026, 3, 30))
    assert dates == [date(2026, 3, d) for d in (2, 9, 16, 23, 30)]


def test_fortnightly_meetings_are_fourteen_days_apart():
    dates = schedule(Frequency.FORTNIGHTLY, date(2026, 3, 2), date(2026, 4, 12))
    assert dates == [date(2026, 3, 2), date(2026, 3, 16), date(2026, 3, 30)]


def test_monthly_meetings_keep_the_day_and_clamp_to_the_month_end():
    dates = schedule(Frequency.MONTHLY, date(2026, 1, 31), date(2026, 6, 30))
    assert dates == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
        date(2026, 5, 31),
        date(2026, 6, 30),
    ]


def test_monthly_meetings_land_on_29_february_in_a_leap_year():
    dates = schedule(Frequency.MONTHLY, date(2028, 1, 31), date(2028, 3, 31))
    assert dates == [date(2028, 1, 31), date(2028, 2, 29), date(2028, 3, 31)]


def test_quarterly_meetings_are_three_months_apart_across_the_year_end():
    dates = schedule(Frequency.QUARTERLY, date(2026, 11, 30), date(2027, 12, 31))
    assert dates == [
        date(2026, 11, 30),
        date(2027, 2, 28),
        date(2027, 5, 30),
        date(2027, 8, 30),
        date(2027, 11, 30),
    ]


def test_without_an_end_date_meetings_cover_six_months():
    assert len(schedule(Frequency.MONTHLY, date(2026, 1, 15))) == 6
    assert schedule(Frequency.MONTHLY, date(2026, 1, 15))[-1] == date(2026, 6, 15)
    assert len(schedule(Frequency.QUARTERLY, date(2026, 1, 15))) == 2
    weekly = schedule(Frequency.WEEKLY, date(2026, 1, 15))
    assert weekly[-1] < date(2026, 7, 15) <= weekly[-1] + timedelta(days=7)


def test_without_a_start_date_or_a_frequency_there_are_no_meetings():
    assert schedule(None, date(2026, 1, 15), date(2026, 6, 1)) == []
    assert schedule(Frequency.WEEKLY, None, date(2026, 6, 1)) == []
    assert meeting_dates(MentoringAgreement()) == []


def test_meetings_are_capped_at_sixty():
    dates = schedule(Frequency.WEEKLY, date(2026, 1, 1), date(2029, 12, 31))
    assert len(dates) == 60
    assert dates[-1] == date(2026, 1, 1) + timedelta(weeks=59)


def test_a_single_day_agreement_has_one_meeting():
    assert schedule(Frequency.MONTHLY, date(2026, 5, 5), date(2026, 5, 5)) == [date(2026, 5, 5)]


# ---------------------------------------------------------------------------------------
# Markdown and HTML


def test_markdown_contains_every_term_and_the_roles_table(agreement, participant, mentor, workshop):
    text = agreement_markdown(agreement, **render_kwargs(participant, mentor, workshop))
    for expected in (
        "Amelia Hartley",
        "Zoë Okonkwo-Hart",
        "Spring cohort",
        "Prepare for a team lead role",
        "Grow my network in data",
        "monthly",
        "60 minutes",
        "video",
        "31 January 2026",
        "1 April 2026",
        "30 June 2026",
        "Nothing leaves the room.",
        "Straight talk, with examples.",
        "No calls after 6 pm.  \nNo weekend messages.",
        "Either of us can stop, no questions asked.",
        "| Area | Mentor focus | Mentee focus |",
        "| --- | --- | --- |",
        "| Agenda | Asks questions | Writes it |",
        "Sat 28 February 2026",
        "Mentor:",
        "Mentee: Amelia Hartley",
    ):
        assert expected in text, expected


def test_markdown_fills_in_the_default_terms_when_none_were_typed(participant, workshop):
    text = agreement_markdown(
        MentoringAgreement(), participant=participant, mentor=None, workshop=workshop
    )
    assert DEFAULT_EXIT_CLAUSE in text
    assert text.count("\n| ") == 1 + 1 + len(DEFAULT_ROLES)  # header, rule, one row each
    assert "to be confirmed" in text
    assert "to be agreed" in text


def test_markdown_table_cells_cannot_break_out_of_their_column(participant, workshop):
    agreement = MentoringAgreement(
        roles=[RoleRow(area="A | B", mentor_focus="one\ntwo", mentee_focus="<b>x</b>")]
    )
    text = agreement_markdown(agreement, participant=participant, mentor=None, workshop=workshop)
    row = next(line for line in text.splitlines() if line.startswith("| A "))
    assert row == "| A \\| B | one<br>two | &lt;b&gt;x&lt;/b&gt; |"


def test_html_is_a_full_document_with_print_css_a_roles_table_and_signature_lines(
    agreement, participant, mentor, workshop
):
    html = agreement_html(agreement, **render_kwargs(participant, mentor, workshop))
    assert html.startswith("<!DOCTYPE html>")
    assert html.rstrip().endswith("</html>")
    assert "<title>Mentoring agreement: Amelia Hartley &amp; Zoë Okonkwo-Hart</title>" in html
    assert "@media print" in html
    assert "size: A4" in html
    assert "page-break-inside: avoid" in html
    assert "background: transparent !important" in html
    tags = elements(html)
    names = [tag for tag, _ in tags]
    assert ("meta", {"charset": "utf-8"}) in tags
    assert names.count("table") == 1
    headers = [attrs for tag, attrs in tags if tag == "th" and attrs.get("scope") == "col"]
    assert len(headers) == 3
    assert "Mentor focus" in html and "Mentee focus" in html
    assert len([attrs for tag, attrs in tags if attrs.get("class") == "signature"]) == 2
    assert "Mentor: Zoë Okonkwo-Hart" in html
    assert "Mentee: Amelia Hartley" in html
    assert '<p class="text">No calls after 6 pm.\nNo weekend messages.</p>' in html


def test_html_escapes_every_user_string(mentor, workshop):
    participant = Participant(name=HOSTILE, email="amelia@example.com")
    agreement = MentoringAgreement(
        relationship_goals=["<script>alert(1)</script>"],
        boundaries=HOSTILE,
        roles=[RoleRow(area=HOSTILE, mentor_focus=HOSTILE, mentee_focus=HOSTILE)],
    )
    html = agreement_html(agreement, participant=participant, mentor=mentor, workshop=workshop)
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert not {"img", "script"} & {tag for tag, _ in elements(html)}
    markdown = agreement_markdown(
        agreement, participant=participant, mentor=mentor, workshop=workshop
    )
    assert "<img" not in markdown and "<script" not in markdown


def test_relationship_goals_fall_back_to_the_smart_goal_titles(participant, mentor, workshop):
    goals = [SmartGoal(title="Give a conference talk"), SmartGoal(title="Ship the data portal")]
    empty = MentoringAgreement()
    for text in (
        agreement_markdown(
            empty, participant=participant, mentor=mentor, workshop=workshop, goals=goals
        ),
        agreement_html(
            empty, participant=participant, mentor=mentor, workshop=workshop, goals=goals
        ),
    ):
        assert "Give a conference talk" in text
        assert "Ship the data portal" in text
        assert "Taken from the SMART goals." in text


def test_the_agreements_own_goals_win_over_the_smart_goals(
    agreement, participant, mentor, workshop
):
    goals = [SmartGoal(title="Give a conference talk")]
    html = agreement_html(
        agreement, participant=participant, mentor=mentor, workshop=workshop, goals=goals
    )
    assert "Prepare for a team lead role" in html
    assert "Give a conference talk" not in html
    assert "Taken from the SMART goals" not in html


def test_without_goals_the_agreement_says_where_to_add_them(participant, workshop):
    html = agreement_html(
        MentoringAgreement(), participant=participant, mentor=None, workshop=workshop
    )
    assert "No goals written yet" in html
    assert "Choose a start date and a frequency" in html


# ---------------------------------------------------------------------------------------
# Calendar


def calendar_of(agreement, participant, mentor, workshop, **kwargs) -> Calendar:
    raw = agreement_calendar(agreement, **render_kwargs(participant, mentor, workshop), **kwargs)
    return Calendar.from_ical(raw)


def test_the_calendar_has_one_event_per_meeting_plus_review_and_end(
    agreement, participant, mentor, workshop
):
    cal = calendar_of(agreement, participant, mentor, workshop)
    assert str(cal["PRODID"]) == PRODID == "-//mentorkit//mentorkit//EN"
    assert str(cal["VERSION"]) == "2.0"
    events = cal.walk("VEVENT")
    meetings = [e for e in events if str(e["SUMMARY"]).startswith("Mentoring: ")]
    assert len(events) == len(meeting_dates(agreement)) + 2 == 8
    assert len(meetings) == 6
    assert {str(e["SUMMARY"]) for e in meetings} == {"Mentoring: Amelia Hartley & Zoë Okonkwo-Hart"}
    first = meetings[0]
    assert first.decoded("DTSTART") == datetime(2026, 1, 31, 12, 0)  # floating local time
    assert first.decoded("DTEND") == datetime(2026, 1, 31, 13, 0)  # 60 minutes
    assert first.decoded("DTSTAMP").tzinfo is not None
    description = str(first["DESCRIPTION"])
    assert "Prepare for a team lead role" in description
    assert "Grow my network in data" in description


def test_review_and_end_dates_are_all_day_events(agreement, participant, mentor, workshop):
    events = calendar_of(agreement, participant, mentor, workshop).walk("VEVENT")
    review = next(e for e in events if str(e["SUMMARY"]).startswith("Mentoring review"))
    end = next(e for e in events if str(e["SUMMARY"]).startswith("Mentoring ends"))
    assert review.decoded("DTSTART") == date(2026, 4, 1)
    assert review.decoded("DTEND") == date(2026, 4, 2)
    assert end.decoded("DTSTART") == date(2026, 6, 30)
    assert not isinstance(end.decoded("DTSTART"), datetime)


def test_meetings_default_to_45_minutes_at_the_chosen_time(participant, mentor, workshop):
    agreement = MentoringAgreement(frequency=Frequency.WEEKLY, start_on=date(2026, 3, 2))
    cal = calendar_of(agreement, participant, mentor, workshop, time_of_day=time(17, 30))
    first = cal.walk("VEVENT")[0]
    assert first.decoded("DTSTART") == datetime(2026, 3, 2, 17, 30)
    assert first.decoded("DTEND") == datetime(2026, 3, 2, 18, 15)
    assert len(cal.walk("VEVENT")) == len(meeting_dates(agreement)) == 27  # the last on 31 August


def test_a_time_zone_puts_meetings_in_that_zone_with_its_definition(
    agreement, participant, mentor, workshop
):
    raw = agreement_calendar(
        agreement, participant=participant, mentor=mentor, workshop=workshop, tz="Europe/Berlin"
    )
    cal = Calendar.from_ical(raw)
    start = cal.walk("VEVENT")[0].decoded("DTSTART")
    assert start.replace(tzinfo=None) == datetime(2026, 1, 31, 12, 0)
    assert start.utcoffset() == timedelta(hours=1)
    summer = cal.walk("VEVENT")[3].decoded("DTSTART")
    assert summer.utcoffset() == timedelta(hours=2)
    assert b"DTSTART;TZID=Europe/Berlin:20260131T120000" in raw
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Berlin"]


def test_an_unknown_time_zone_is_refused_in_plain_words(agreement, participant, workshop):
    with pytest.raises(InvalidInput, match="not a time zone name"):
        agreement_calendar(
            agreement, participant=participant, mentor=None, workshop=workshop, tz="Mars/Base"
        )


def test_uids_are_unique_and_stable_across_renders(agreement, participant, mentor, workshop):
    first = calendar_of(
        agreement, participant, mentor, workshop, stamp=datetime(2026, 1, 1, tzinfo=UTC)
    )
    second = calendar_of(agreement, participant, mentor, workshop)
    uids = [str(e["UID"]) for e in first.walk("VEVENT")]
    assert len(set(uids)) == len(uids)
    assert uids == [str(e["UID"]) for e in second.walk("VEVENT")]
    assert uids[0] == f"{participant.id}-20260131@mentorkit"


def test_without_dates_the_calendar_is_valid_and_empty(participant, workshop):
    cal = calendar_of(MentoringAgreement(), participant, None, workshop)
    assert cal.walk("VEVENT") == []
    assert str(cal["VERSION"]) == "2.0"


def test_the_calendar_uses_crlf_and_folds_long_lines(participant, mentor, workshop):
    long_goal = "Become the person the team turns to for data questions " * 5
    agreement = MentoringAgreement(
        relationship_goals=[long_goal.strip()],
        frequency=Frequency.MONTHLY,
        start_on=date(2026, 1, 1),
        end_on=date(2026, 2, 1),
    )
    raw = agreement_calendar(agreement, participant=participant, mentor=mentor, workshop=workshop)
    assert raw.endswith(b"\r\n")
    assert re.search(rb"(?<!\r)\n", raw) is None  # no bare line feeds
    lines = raw.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)  # octets, per RFC 5545 section 3.1
    assert any(line.startswith(b" ") for line in lines)  # a folded continuation line
    description = str(Calendar.from_ical(raw).walk("VEVENT")[0]["DESCRIPTION"])
    assert long_goal.strip() in description
