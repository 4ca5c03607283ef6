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
    MAX_MEETINGS,
    PRODID,
    agreement_calendar,
    agreement_html,
    agreement_markdown,
    meeting_dates,
    meeting_schedule,
    term_words,
    with_defaults,
)
from mentorkit.errors import InvalidInput
from mentorkit.mentoring import Side, confirm
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
        meeting_time=time(18, 0),
        start_on=date(2026, 1, 13),
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


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri")


def test_weekly_meetings_run_up_to_and_including_the_end_date():
    dates = schedule(Frequency.WEEKLY, date(2026, 3, 2), date(2026, 3, 30))
    assert dates == [date(2026, 3, d) for d in (2, 9, 16, 23, 30)]


def test_fortnightly_meetings_are_fourteen_days_apart_on_the_same_weekday():
    dates = schedule(Frequency.FORTNIGHTLY, date(2026, 3, 4), date(2026, 4, 15))
    assert dates == [date(2026, 3, 4), date(2026, 3, 18), date(2026, 4, 1), date(2026, 4, 15)]
    assert {f"{day:%a}" for day in dates} == {"Wed"}


def test_monthly_meetings_keep_the_weekday_of_the_month_not_the_day():
    # Tuesday 10 March 2026 is the second Tuesday of March.
    dates = schedule(Frequency.MONTHLY, date(2026, 3, 10), date(2026, 9, 30))
    assert dates == [
        date(2026, 3, 10),
        date(2026, 4, 14),
        date(2026, 5, 12),
        date(2026, 6, 9),
        date(2026, 7, 14),
        date(2026, 8, 11),
        date(2026, 9, 8),
    ]
    assert {f"{day:%a}" for day in dates} == {"Tue"}
    assert all(8 <= day.day <= 14 for day in dates)  # always the second one


def test_monthly_meetings_never_land_on_a_weekend_where_the_day_of_month_would():
    # The 12th of each month falls on a Saturday or Sunday in several months of 2026.
    dates = schedule(Frequency.MONTHLY, date(2026, 1, 12), date(2026, 12, 31))
    assert len(dates) == 12
    assert all(f"{day:%a}" == "Mon" for day in dates)
    assert date(2026, 9, 12) not in dates  # a Saturday
    assert date(2026, 9, 14) in dates  # the second Monday of September


def test_a_first_meeting_in_the_fifth_week_repeats_on_the_last_such_weekday():
    # Friday 30 January 2026 is the fifth Friday; February has only four.
    dates = schedule(Frequency.MONTHLY, date(2026, 1, 30), date(2026, 5, 31))
    assert dates == [
        date(2026, 1, 30),
        date(2026, 2, 27),
        date(2026, 3, 27),
        date(2026, 4, 24),
        date(2026, 5, 29),
    ]


def test_a_start_date_on_a_weekend_moves_the_first_meeting_to_the_monday_after():
    saturday = date(2026, 1, 31)
    weekly = schedule(Frequency.WEEKLY, saturday, date(2026, 2, 28))
    assert weekly == [date(2026, 2, 2), date(2026, 2, 9), date(2026, 2, 16), date(2026, 2, 23)]
    monthly = schedule(Frequency.MONTHLY, saturday, date(2026, 6, 30))
    # Monday 2 February is the first Monday: the first Monday of every later month follows.
    assert monthly == [
        date(2026, 2, 2),
        date(2026, 3, 2),
        date(2026, 4, 6),
        date(2026, 5, 4),
        date(2026, 6, 1),
    ]
    sunday = meeting_schedule(
        MentoringAgreement(frequency=Frequency.FORTNIGHTLY, start_on=date(2026, 3, 1))
    )
    assert sunday.dates[0] == date(2026, 3, 2)
    assert sunday.moved_from == date(2026, 3, 1)
    assert any("falls on a weekend" in note for note in sunday.notes())


@pytest.mark.parametrize("frequency", list(Frequency))
@pytest.mark.parametrize("start", [date(2026, 1, d) for d in range(1, 32)])
def test_no_frequency_ever_schedules_a_weekend_and_each_keeps_one_weekday(frequency, start):
    dates = schedule(frequency, start, date(2028, 12, 31))
    assert dates and dates[0] >= start
    assert {f"{day:%a}" for day in dates} <= set(WEEKDAYS)
    assert len({day.weekday() for day in dates}) == 1
    assert dates == sorted(set(dates))


def test_three_monthly_meetings_keep_the_weekday_of_the_month_across_the_year_end():
    # Thursday 19 November 2026 is the third Thursday.
    dates = schedule(Frequency.QUARTERLY, date(2026, 11, 19), date(2027, 12, 31))
    assert dates == [
        date(2026, 11, 19),
        date(2027, 2, 18),
        date(2027, 5, 20),
        date(2027, 8, 19),
        date(2027, 11, 18),
    ]


def test_a_year_long_agreement_lists_every_meeting_not_six():
    dates = schedule(Frequency.MONTHLY, date(2026, 1, 5), date(2026, 12, 31))
    assert len(dates) == 12
    assert dates[-1] == date(2026, 12, 7)


def test_without_an_end_date_six_months_are_listed_and_the_page_says_so():
    found = meeting_schedule(
        MentoringAgreement(frequency=Frequency.MONTHLY, start_on=date(2026, 1, 15))
    )
    assert len(found.dates) == 6 and found.open_ended
    assert found.dates[-1] == date(2026, 6, 18)  # the third Thursday of June
    assert any("No end date yet" in note for note in found.notes())
    weekly = schedule(Frequency.WEEKLY, date(2026, 1, 15))
    assert weekly[-1] < date(2026, 7, 15) <= weekly[-1] + timedelta(days=7)


def test_a_schedule_that_reaches_its_end_date_adds_no_note_about_stopping():
    found = meeting_schedule(
        MentoringAgreement(
            frequency=Frequency.WEEKLY, start_on=date(2026, 3, 2), end_on=date(2026, 6, 1)
        )
    )
    assert not found.capped and not found.open_ended
    assert found.notes() == ["We meet every Monday, from Mon 2 March 2026."]


def test_without_a_start_date_or_a_frequency_there_are_no_meetings():
    assert schedule(None, date(2026, 1, 15), date(2026, 6, 1)) == []
    assert schedule(Frequency.WEEKLY, None, date(2026, 6, 1)) == []
    assert meeting_dates(MentoringAgreement()) == []
    assert meeting_schedule(MentoringAgreement()).notes() == []


def test_meetings_are_capped_and_the_cap_is_said_not_silent():
    found = meeting_schedule(
        MentoringAgreement(
            frequency=Frequency.WEEKLY, start_on=date(2026, 1, 1), end_on=date(2029, 12, 31)
        )
    )
    assert len(found.dates) == MAX_MEETINGS == 120
    assert found.dates[-1] == date(2026, 1, 1) + timedelta(weeks=119)
    assert found.capped
    assert any(
        f"Only the first {MAX_MEETINGS} meetings are listed" in note and "31 December 2029" in note
        for note in found.notes()
    )
    exactly = meeting_schedule(
        MentoringAgreement(
            frequency=Frequency.WEEKLY,
            start_on=date(2026, 1, 1),
            end_on=date(2026, 1, 1) + timedelta(weeks=119),
        )
    )
    assert len(exactly.dates) == 120 and not exactly.capped


def test_a_single_day_agreement_has_one_meeting():
    assert schedule(Frequency.MONTHLY, date(2026, 5, 5), date(2026, 5, 5)) == [date(2026, 5, 5)]


def test_a_weekend_only_agreement_has_no_meeting_and_says_why():
    found = meeting_schedule(
        MentoringAgreement(
            frequency=Frequency.WEEKLY, start_on=date(2026, 3, 7), end_on=date(2026, 3, 8)
        )
    )
    assert found.dates == ()
    assert found.notes() == [
        "No weekday falls between the start date and the end date, so there is no meeting "
        "yet: move the end date later."
    ]


@pytest.mark.parametrize(
    ("frequency", "start", "rule"),
    [
        (Frequency.WEEKLY, date(2026, 3, 10), "every Tuesday"),
        (Frequency.FORTNIGHTLY, date(2026, 3, 10), "every other Tuesday"),
        (Frequency.MONTHLY, date(2026, 3, 10), "the second Tuesday of each month"),
        (Frequency.MONTHLY, date(2026, 3, 31), "the last Tuesday of each month"),
        (Frequency.QUARTERLY, date(2026, 3, 2), "the first Monday of every third month"),
    ],
)
def test_the_rule_is_said_in_words(frequency, start, rule):
    found = meeting_schedule(MentoringAgreement(frequency=frequency, start_on=start))
    assert found.rule == rule
    assert found.notes()[0].startswith(f"We meet {rule}, from ")


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
        "13 January 2026",
        "1 April 2026",
        "30 June 2026",
        "Nothing leaves the room.",
        "Straight talk, with examples.",
        "No calls after 6 pm.  \nNo weekend messages.",
        "Either of us can stop, no questions asked.",
        "| Area | Mentor focus | Mentee focus |",
        "| --- | --- | --- |",
        "| Agenda | Asks questions | Writes it |",
        "Tue 10 February 2026, 18:00",
        "- **Meeting time:** 18:00 local time",
        "We meet the second Tuesday of each month, from Tue 13 January 2026.",
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
    assert row == "| A \\| B | one<br>two | \\<b>x\\</b> |"


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
    assert re.search(r"(?<!\\)<(?!br>)", markdown) is None  # every < is escaped
    assert "\\<img src=x onerror=alert(1)>" in markdown
    assert "&lt;" not in markdown


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
    assert first.decoded("DTSTART") == datetime(2026, 1, 13, 18, 0)  # floating: no zone known
    assert first.decoded("DURATION") == timedelta(minutes=60)
    assert "DTEND" not in first
    assert first.decoded("DTSTAMP").tzinfo is not None
    description = str(first["DESCRIPTION"])
    assert "Prepare for a team lead role" in description
    assert "Grow my network in data" in description


def test_calendar_meetings_follow_the_weekday_rules(agreement, participant, mentor, workshop):
    monthly = agreement.model_copy(update={"start_on": date(2026, 1, 31)})  # a Saturday
    cal = calendar_of(monthly, participant, mentor, workshop, tz="Europe/Berlin")
    starts = [e.decoded("DTSTART") for e in cal.walk("VEVENT") if "DURATION" in e]
    assert [start.date() for start in starts] == [
        date(2026, 2, 2),
        date(2026, 3, 2),
        date(2026, 4, 6),
        date(2026, 5, 4),
        date(2026, 6, 1),
    ]
    assert {f"{start:%a %H:%M}" for start in starts} == {"Mon 18:00"}


def test_review_and_end_dates_are_all_day_events(agreement, participant, mentor, workshop):
    events = calendar_of(agreement, participant, mentor, workshop).walk("VEVENT")
    review = next(e for e in events if str(e["SUMMARY"]).startswith("Mentoring review"))
    end = next(e for e in events if str(e["SUMMARY"]).startswith("Mentoring ends"))
    assert review.decoded("DTSTART") == date(2026, 4, 1)
    assert review.decoded("DTEND") == date(2026, 4, 2)
    assert end.decoded("DTSTART") == date(2026, 6, 30)
    assert not isinstance(end.decoded("DTSTART"), datetime)


def test_meetings_default_to_45_minutes_at_the_agreed_time(participant, mentor, workshop):
    agreement = MentoringAgreement(
        frequency=Frequency.WEEKLY, start_on=date(2026, 3, 2), meeting_time=time(17, 30)
    )
    cal = calendar_of(agreement, participant, mentor, workshop)
    first = cal.walk("VEVENT")[0]
    assert first.decoded("DTSTART") == datetime(2026, 3, 2, 17, 30)
    assert first.decoded("DURATION") == timedelta(minutes=45)
    assert len(cal.walk("VEVENT")) == len(meeting_dates(agreement)) == 27  # the last on 31 August


def test_without_a_meeting_time_meetings_are_all_day_entries_not_noon(
    agreement, participant, mentor, workshop
):
    untimed = agreement.model_copy(update={"meeting_time": None})
    raw = agreement_calendar(
        untimed, participant=participant, mentor=mentor, workshop=workshop, tz="Europe/Berlin"
    )
    cal = Calendar.from_ical(raw)
    meetings = [e for e in cal.walk("VEVENT") if str(e["SUMMARY"]).startswith("Mentoring: ")]
    assert len(meetings) == 6
    assert all(not isinstance(e.decoded("DTSTART"), datetime) for e in meetings)
    assert meetings[0].decoded("DTSTART") == date(2026, 1, 13)
    assert all("(time to be agreed)" in str(e["SUMMARY"]) for e in meetings)
    assert b"T120000" not in raw


def test_the_participants_time_zone_puts_meetings_in_it_with_its_definition(
    agreement, participant, mentor, workshop
):
    raw = agreement_calendar(
        agreement, participant=participant, mentor=mentor, workshop=workshop, tz="Europe/Berlin"
    )
    cal = Calendar.from_ical(raw)
    meetings = [e for e in cal.walk("VEVENT") if "DURATION" in e]
    start = meetings[0].decoded("DTSTART")
    assert start.replace(tzinfo=None) == datetime(2026, 1, 13, 18, 0)
    assert start.utcoffset() == timedelta(hours=1)
    summer = meetings[3].decoded("DTSTART")  # 14 April, after the clocks change
    assert summer.replace(tzinfo=None) == datetime(2026, 4, 14, 18, 0)
    assert summer.utcoffset() == timedelta(hours=2)
    assert meetings[0]["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert b"DTSTART;TZID=Europe/Berlin:20260113T180000" in raw
    assert b"DURATION:PT1H" in raw
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Berlin"]


def test_the_agreements_own_time_zone_wins_over_the_participants(
    agreement, participant, mentor, workshop
):
    in_tokyo = agreement.model_copy(update={"time_zone": "Asia/Tokyo"})
    raw = agreement_calendar(
        in_tokyo, participant=participant, mentor=mentor, workshop=workshop, tz="Europe/Berlin"
    )
    cal = Calendar.from_ical(raw)
    first = next(e for e in cal.walk("VEVENT") if "DURATION" in e)
    assert first["DTSTART"].params["TZID"] == "Asia/Tokyo"
    assert first.decoded("DTSTART").utcoffset() == timedelta(hours=9)
    assert {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")} == {"Asia/Tokyo"}


def test_a_mentor_in_another_zone_reads_the_time_on_their_own_clock(
    agreement, participant, mentor, workshop
):
    abroad = mentor.model_copy(update={"time_zone": "America/New_York"})
    who = {"participant": participant, "mentor": abroad, "workshop": workshop}
    cal = Calendar.from_ical(agreement_calendar(agreement, tz="Europe/Berlin", **who))
    first = next(e for e in cal.walk("VEVENT") if "DURATION" in e)
    assert str(first["DESCRIPTION"]).startswith(
        "Time: 18:00 Europe/Berlin (Amelia Hartley) · 12:00 America/New_York (Zoë Okonkwo-Hart)."
    )
    markdown = agreement_markdown(agreement, tz="Europe/Berlin", **who)
    assert (
        "- Tue 13 January 2026, 18:00 Europe/Berlin (Amelia Hartley) · "
        "12:00 America/New_York (Zoë Okonkwo-Hart)"
    ) in markdown
    # 10 March: New York has moved its clocks, Berlin not yet: five hours apart, not six
    assert "- Tue 10 March 2026, 18:00 Europe/Berlin (Amelia Hartley) · 13:00" in markdown
    html = agreement_html(agreement, tz="Europe/Berlin", **who)
    assert (
        "<dt>Meeting time</dt>\n<dd>18:00 Europe/Berlin (Amelia Hartley) · 12:00 "
        "America/New_York (Zoë Okonkwo-Hart) at the first meeting; daylight saving time "
        "changes the difference, so each date below gives its own</dd>"
    ) in html


def test_zones_a_constant_difference_apart_need_no_caveat(agreement, participant, mentor, workshop):
    london = mentor.model_copy(update={"time_zone": "Europe/London"})
    html = agreement_html(
        agreement, participant=participant, mentor=london, workshop=workshop, tz="Europe/Berlin"
    )
    assert (
        "<dd>18:00 Europe/Berlin (Amelia Hartley) · 17:00 Europe/London (Zoë Okonkwo-Hart)</dd>"
    ) in html


def test_a_mentor_in_the_same_zone_shows_one_time(agreement, participant, mentor, workshop):
    here = mentor.model_copy(update={"time_zone": "Europe/Berlin"})
    html = agreement_html(
        agreement, participant=participant, mentor=here, workshop=workshop, tz="Europe/Berlin"
    )
    assert "<dd>18:00 Europe/Berlin time</dd>" in html
    assert "<li>Tue 13 January 2026, 18:00</li>" in html


def test_a_meeting_that_falls_on_another_day_abroad_names_that_day(
    agreement, participant, mentor, workshop
):
    far = mentor.model_copy(update={"time_zone": "Asia/Tokyo"})
    late = agreement.model_copy(update={"meeting_time": time(19, 30)})
    html = agreement_html(
        late, participant=participant, mentor=far, workshop=workshop, tz="Europe/Berlin"
    )
    assert "Tue 13 January 2026, 19:30 Europe/Berlin (Amelia Hartley) · 03:30 Wed Asia/Tokyo" in (
        html
    )


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
    assert uids[0] == f"{participant.id}-20260113@mentorkit"


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


# ---------------------------------------------------------------------------------------
# Who confirmed it


def test_the_printout_says_nobody_confirmed_it_yet(agreement, participant, mentor, workshop):
    markdown = agreement_markdown(agreement, **render_kwargs(participant, mentor, workshop))
    assert "## Confirmed" in markdown
    assert "*Not yet confirmed by the mentor*" in markdown
    assert "*Not yet confirmed by the mentee*" in markdown
    html = agreement_html(agreement, **render_kwargs(participant, mentor, workshop))
    assert '<li class="empty">Not yet confirmed by the mentee</li>' in html


def test_the_printout_names_each_side_that_confirmed_this_version_with_the_time_in_utc(
    agreement, participant, mentor, workshop
):
    confirmations = [
        confirm(
            agreement, Side.MENTEE, "Amelia Hartley", at=datetime(2027, 1, 11, 9, 0, tzinfo=UTC)
        ),
        confirm(
            agreement,
            Side.MENTOR,
            "Zoë Okonkwo-Hart",
            at=datetime(2027, 1, 12, 18, 30, tzinfo=UTC),
        ),
    ]
    who = render_kwargs(participant, mentor, workshop)
    markdown = agreement_markdown(agreement, confirmations=confirmations, **who)
    assert "- Mentee: **Amelia Hartley**, Monday 11 January 2027, 09:00 UTC" in markdown
    assert "- Mentor: **Zoë Okonkwo-Hart**, Tuesday 12 January 2027, 18:30 UTC" in markdown
    assert "Not yet confirmed" not in markdown
    html = agreement_html(agreement, confirmations=confirmations, **who)
    assert "Mentor: <strong>Zoë Okonkwo-Hart</strong>, Tuesday 12 January 2027, 18:30 UTC" in html
    assert "Mentee: <strong>Amelia Hartley</strong>, Monday 11 January 2027, 09:00 UTC" in html


def test_a_confirmation_of_an_earlier_version_is_not_shown_as_confirming_this_one(
    agreement, participant, mentor, workshop
):
    earlier = confirm(agreement, Side.MENTOR, "Zoë", at=datetime(2027, 1, 11, 9, 0, tzinfo=UTC))
    changed = agreement.model_copy(update={"meeting_minutes": 45})
    markdown = agreement_markdown(
        changed, confirmations=[earlier], **render_kwargs(participant, mentor, workshop)
    )
    assert "*Not yet confirmed by the mentor*" in markdown
    assert "changed since an earlier version was confirmed" in markdown


def test_confirmed_names_are_escaped_in_the_printout(agreement, participant, mentor, workshop):
    given = confirm(agreement, Side.MENTEE, HOSTILE, at=datetime(2027, 1, 11, 9, 0, tzinfo=UTC))
    who = render_kwargs(participant, mentor, workshop)
    html = agreement_html(agreement, confirmations=[given], **who)
    assert "<strong>&lt;img src=x onerror=alert(1)&gt;</strong>" in html
    assert "img" not in {tag for tag, _ in elements(html)}
    assert "**\\<img src=x onerror=alert(1)>**" in agreement_markdown(
        agreement, confirmations=[given], **who
    )


# ---------------------------------------------------------------------------------------
# A term in words (a mentor's suggested changes)


@pytest.mark.parametrize(
    ("term", "value", "words"),
    [
        ("frequency", "every two weeks", "Every two weeks"),
        ("channel", "video", "Video"),
        ("start_on", "2027-01-11", "11 January 2027"),
        ("meeting_time", "18:30:00", "18:30"),
        ("meeting_minutes", 45, "45 minutes"),
        ("relationship_goals", ["Speak", "Lead"], "Speak; Lead"),
        (
            "roles",
            [{"area": "Agenda", "mentor_focus": "Reads", "mentee_focus": "Writes"}],
            "Agenda: mentor — Reads; mentee — Writes",
        ),
        ("boundaries", "", "the standard wording"),
        ("end_on", None, "not set"),
        ("frequency", "now and then", "now and then"),  # not a value the term holds
        ("meeting_minutes", {"a": 1}, '{"a": 1}'),
    ],
)
def test_a_term_reads_in_words_as_the_page_writes_it(term, value, words):
    assert term_words(term, value) == words
