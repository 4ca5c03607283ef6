"""My plan: every worksheet on one page, ranked, sorted and safely escaped."""

import re
from collections import Counter
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentorkit.models import (
    CheckIn,
    Framework,
    MentoringAgreement,
    MentorProfile,
    MentorShortlist,
    Participant,
    SelfAssessment,
    SmartGoal,
    Workshop,
)
from mentorkit.plan import (
    PlanData,
    chosen_growth_areas,
    chosen_strengths,
    plan_html,
    plan_markdown,
    ratings_by_area,
    suggested_growth_areas,
    suggested_strengths,
)
from mentorkit.rendering import TEMPLATES_DIR, markdown_escape

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert(1)</script>"
NOT_STARTED = "Not started yet"


class Elements(HTMLParser):
    """Start tags and the text between them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    parser.close()
    return parser


def template_tags(*names: str) -> set[str]:
    """Every tag name written in the given templates."""
    source = "".join((TEMPLATES_DIR / name).read_text() for name in names)
    return set(re.findall(r"<([a-z][a-z0-9]*)", source))


PLAN_TAGS = template_tags("plan.html.j2", "_print.css.j2")


# ---------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture
def small_framework():
    return Framework(
        name="Small",
        areas=[
            {
                "id": "alpha",
                "name": "Alpha",
                "competencies": [
                    {"id": "a1", "name": "A one"},
                    {"id": "a2", "name": "A two"},
                    {"id": "a3", "name": "A three"},
                ],
            },
            {
                "id": "beta",
                "name": "Beta",
                "competencies": [
                    {"id": "b1", "name": "B one"},
                    {"id": "b2", "name": "B two"},
                    {"id": "b3", "name": "B three"},
                ],
            },
        ],
    )


def names(competencies) -> list[str]:
    return [c.id for c in competencies]


MENTOR = MentorProfile(
    name="Zoë Okonkwo-Hart",
    email="zoe@example.org",
    title="Engineering Manager",
    organization="Northwind Analytics",
    expertise=["delegation"],
    capacity=3,
)
OTHER_MENTOR = MentorProfile(
    name="Mateo Ibáñez",
    email="mateo@example.com",
    title="Head of Partnerships",
    expertise=["negotiation"],
    capacity=2,
)


def full_plan(framework, **changes) -> PlanData:
    workshop = Workshop(name="Spring mentoring cohort", framework=framework)
    participant = Participant(
        name="Amelia Hartley",
        email="amelia@example.com",
        department="Engineering",
        career_stage="Early career",
    )
    assessment = SelfAssessment(
        ratings={"public-speaking": 2, "negotiation": 1, "technical-depth": 5, "delegation": 4},
        strengths=["technical-depth"],
        growth_areas=["public-speaking"],
        values=["Curiosity", "Fairness"],
        career_goal="Lead a small data team\nwithin two years",
        preferences={"formats": ["video"], "frequency": "monthly", "languages": ["English"]},
    )
    shortlist = MentorShortlist(
        entries=[
            {"mentor_email": "mateo@example.com", "note": "Knows negotiation"},
            {"mentor_email": "zoe@example.org", "note": "Led a data team\nfirst choice"},
        ]
    )
    agreement = MentoringAgreement(
        mentor_email="zoe@example.org",
        frequency="monthly",
        meeting_minutes=60,
        channel="video",
        start_on=date(2026, 1, 31),
        review_on=date(2026, 4, 1),
        end_on=date(2026, 6, 30),
    )
    goals = [
        SmartGoal(
            title="Give a talk at the team meeting",
            specific="A ten-minute talk on the data portal",
            measurable="Five questions from the audience",
            achievable="My mentor reviews the slides",
            relevant="Public speaking is my growth area",
            time_bound="Before the end of April",
            deadline=date(2026, 4, 30),
            competencies=["public-speaking"],
            milestones=[
                {"title": "Outline the talk", "due_on": date(2026, 3, 15), "done": True},
                {"title": "Rehearse with my mentor", "due_on": date(2026, 4, 10)},
            ],
        )
    ]
    check_ins = [
        CheckIn(met_on=date(2026, 1, 31), topics=["Getting started"], learned="First steps"),
        CheckIn(
            met_on=date(2026, 2, 28),
            topics=["Slides", "Nerves"],
            learned="Practise out loud\nTime every section",
            action_items=[
                {"text": "Book a room", "done": True},
                {"text": "Send the outline", "owner": "mentee", "due_on": date(2026, 3, 7)},
                {"text": "Share a talk recording", "owner": "mentor"},
            ],
        ),
    ]
    data = {
        "workshop": workshop,
        "participant": participant,
        "assessment": assessment,
        "shortlist": shortlist,
        "mentors": {m.email: m for m in (MENTOR, OTHER_MENTOR)},
        "agreement": agreement,
        "goals": goals,
        "check_ins": check_ins,
        "matched_mentor": MENTOR,
        "today": date(2026, 3, 1),
    }
    return PlanData(**(data | changes))


def empty_plan(framework) -> PlanData:
    return PlanData(
        workshop=Workshop(name="Spring mentoring cohort", framework=framework),
        participant=Participant(name="Amelia Hartley", email="amelia@example.com"),
        assessment=None,
        shortlist=None,
        mentors={},
        agreement=None,
        goals=[],
        check_ins=[],
        today=date(2026, 3, 1),
    )


# ---------------------------------------------------------------------------------------
# Strengths, growth areas and ratings


def test_chosen_strengths_and_growth_areas_are_exactly_the_picks_in_order(small_framework):
    assessment = SelfAssessment(
        ratings={"a1": 5, "b1": 4, "a2": 1}, strengths=["b3", "a3"], growth_areas=["b2"]
    )
    assert names(chosen_strengths(assessment, small_framework)) == ["b3", "a3"]
    assert names(chosen_growth_areas(assessment, small_framework)) == ["b2"]


def test_ratings_alone_choose_nothing(small_framework):
    assessment = SelfAssessment(ratings={"a1": 5, "b1": 4, "a2": 1, "b2": 2})
    assert chosen_strengths(assessment, small_framework) == []
    assert chosen_growth_areas(assessment, small_framework) == []


def test_suggestions_fill_only_the_free_slots_highest_rated_first(small_framework):
    assessment = SelfAssessment(ratings={"b2": 4, "a3": 4, "b1": 5, "a1": 1})
    assert names(suggested_strengths(assessment, small_framework)) == ["b1", "a3", "b2"]
    one_picked = assessment.model_copy(update={"strengths": ["b1"]})
    assert names(suggested_strengths(one_picked, small_framework)) == ["a3", "b2"]
    full = assessment.model_copy(update={"strengths": ["a2", "b3", "b1"]})
    assert suggested_strengths(full, small_framework) == []


def test_suggestions_never_repeat_a_pick_of_either_kind(small_framework):
    assessment = SelfAssessment(ratings={"a1": 5, "a2": 4, "b1": 1}, growth_areas=["a1"])
    assert names(suggested_strengths(assessment, small_framework)) == ["a2"]
    assert names(suggested_growth_areas(assessment, small_framework)) == ["b1"]


def test_only_capable_or_better_suggests_strengths_and_only_capable_or_less_growth(
    small_framework,
):
    assessment = SelfAssessment(ratings={"a1": 1, "a2": 2, "b1": 4, "b2": 5})
    assert names(suggested_strengths(assessment, small_framework)) == ["b2", "b1"]
    assert names(suggested_growth_areas(assessment, small_framework)) == ["a1", "a2"]


def test_no_competency_is_suggested_as_both_even_when_all_ratings_are_equal(small_framework):
    assessment = SelfAssessment(ratings={c: 3 for c in ("a1", "a2", "a3", "b1", "b2", "b3")})
    assert names(suggested_strengths(assessment, small_framework)) == ["a1", "a2", "a3"]
    assert names(suggested_growth_areas(assessment, small_framework)) == ["b1", "b2", "b3"]


def test_unknown_ids_and_a_missing_assessment_give_nothing(small_framework):
    assessment = SelfAssessment(strengths=["gone"], growth_areas=["also-gone"])
    assert chosen_strengths(assessment, small_framework) == []
    assert chosen_growth_areas(assessment, small_framework) == []
    for pick in (chosen_strengths, chosen_growth_areas, suggested_strengths):
        assert pick(None, small_framework) == []
    assert suggested_growth_areas(None, small_framework) == []


@pytest.mark.parametrize("render", [plan_html, plan_markdown])
def test_the_plan_lists_only_the_strengths_the_participant_chose(framework, render):
    # Delegation is rated 4 and Negotiation 1, but neither was picked: the plan must not
    # present them as the participant's strengths or growth areas.
    text = render(full_plan(framework))
    about = text[text.index("My strengths") : text.index("Ratings by area")]
    assert "Technical depth" in about
    assert "Public speaking" in about
    assert "Delegation" not in about
    assert "Negotiation" not in about


@pytest.mark.parametrize("render", [plan_html, plan_markdown])
def test_a_plan_with_ratings_but_no_picks_says_none_chosen(framework, render):
    assessment = SelfAssessment(ratings={"delegation": 5, "negotiation": 1})
    text = render(full_plan(framework, assessment=assessment))
    about = text[text.index("My strengths") : text.index("Ratings by area")]
    assert about.count("None chosen yet.") == 2
    assert "Delegation" not in about and "Negotiation" not in about


def test_ratings_by_area_are_means_and_none_when_unrated(small_framework):
    assessment = SelfAssessment(ratings={"a1": 2, "a2": 5, "gone": 1})
    result = ratings_by_area(assessment, small_framework)
    assert [(area.id, mean) for area, mean in result] == [("alpha", 3.5), ("beta", None)]
    assert [mean for _, mean in ratings_by_area(None, small_framework)] == [None, None]


# ---------------------------------------------------------------------------------------
# The sections


SECTION_TITLES = (
    "My plan",
    "About me",
    "My mentor",
    "My shortlist",
    "Our agreement",
    "My SMART goals",
    "Check-ins",
)


@pytest.mark.parametrize("render", [plan_html, plan_markdown])
def test_every_section_shows_the_filled_in_data(framework, render):
    text = render(full_plan(framework))
    for expected in (
        *SECTION_TITLES,
        # header
        "Amelia Hartley",
        "Engineering, Early career",
        "Spring mentoring cohort",
        "1 March 2026",
        # about me
        "Technical depth",
        "Expert, 5 of 5",
        "Public speaking",
        "Curiosity",
        "Fairness",
        "Lead a small data team",
        "within two years",
        "Meeting formats",
        "English",
        # mentor and shortlist
        "Engineering Manager, Northwind Analytics",
        "Mateo Ibáñez",
        "Knows negotiation",
        # agreement
        "60 minutes",
        "31 January 2026",
        "1 April 2026",
        "30 June 2026",
        "Mon 2 February 2026",
        "Next meeting:",
        "Mon 2 March 2026",
        "the first Monday of each month",
        "Taken from my SMART goals.",
        # SMART goals
        "Give a talk at the team meeting",
        "A ten-minute talk on the data portal",
        "Five questions from the audience",
        "My mentor reviews the slides",
        "Public speaking is my growth area",
        "Before the end of April",
        "30 April 2026",
        "Outline the talk",
        "15 March 2026",
        "Rehearse with my mentor",
        "1 of 2 done",
        # check-ins
        "Slides, Nerves",
        "Practise out loud",
        "Time every section",
        "Book a room",
        "owner: mentor",
        "7 March 2026",
    ):
        assert expected in text, expected
    assert NOT_STARTED not in text


def test_the_shortlist_keeps_its_order_and_check_ins_show_newest_first(framework):
    for text in (plan_html(full_plan(framework)), plan_markdown(full_plan(framework))):
        shortlist = text[text.index("My shortlist") : text.index("Our agreement")]
        assert shortlist.index("Mateo Ibáñez") < shortlist.index("Zoë Okonkwo")
        check_ins = text[text.rindex("Check-ins") :]
        assert check_ins.index("Sat 28 February 2026") < check_ins.index("Sat 31 January 2026")


def test_open_action_items_come_before_done_ones(framework):
    for text in (plan_html(full_plan(framework)), plan_markdown(full_plan(framework))):
        assert text.index("Send the outline") < text.index("Book a room")
        assert text.index("Share a talk recording") < text.index("Book a room")
    markdown = plan_markdown(full_plan(framework))
    assert "- [x] Book a room (owner: mentee, done)" in markdown
    assert "- [ ] Send the outline (owner: mentee, due 7 March 2026, open)" in markdown
    assert "- [x] Outline the talk — due 15 March 2026" in markdown


def test_the_plan_shows_a_milestone_past_its_date_as_overdue(framework):
    # Today is 20 April 2026: "Rehearse with my mentor" (due 10 April) is not done.
    plan = full_plan(framework, today=date(2026, 4, 20))
    markdown = plan_markdown(plan)
    assert "Milestones (1 of 2 done, 1 overdue):" in markdown
    assert "- [ ] Rehearse with my mentor — due 10 April 2026 **(overdue)**" in markdown
    assert "- [x] Outline the talk — due 15 March 2026\n" in markdown  # done: never overdue
    html = plan_html(plan)
    assert '<strong class="overdue">(overdue)</strong>' in html
    assert html.count("(overdue)") == 1
    on_time = plan_markdown(full_plan(framework, today=date(2026, 4, 10)))
    assert "overdue" not in on_time


def test_multi_line_text_keeps_its_line_breaks(framework):
    html = plan_html(full_plan(framework))
    assert '<p class="text">Practise out loud\nTime every section</p>' in html
    assert ".text { white-space: pre-wrap;" in html
    assert "Practise out loud  \nTime every section" in plan_markdown(full_plan(framework))
    assert "   Led a data team  \n   first choice" in plan_markdown(full_plan(framework))


@pytest.mark.parametrize("render", [plan_html, plan_markdown])
def test_empty_sections_say_kindly_where_to_start(framework, render):
    text = render(empty_plan(framework))
    for section in SECTION_TITLES:
        assert section in text
    for worksheet in ("Self-assessment", "Mentor shortlist", "Expectations", "SMART goals"):
        assert f"{NOT_STARTED} — open the {worksheet} worksheet." in text
    assert f"{NOT_STARTED} — open the Check-ins worksheet." in text
    assert text.count(NOT_STARTED) == 5
    assert "No match yet" in text


def test_documents_holding_only_defaults_count_as_not_started(framework):
    plan = full_plan(
        framework,
        assessment=SelfAssessment(),
        shortlist=MentorShortlist(),
        agreement=MentoringAgreement(),
        goals=[],
        check_ins=[],
    )
    assert plan_html(plan).count(NOT_STARTED) == 5


def test_a_shortlisted_mentor_missing_from_the_roster_shows_the_email(framework):
    plan = full_plan(
        framework, mentors={}, shortlist=MentorShortlist(entries=[{"mentor_email": "x@ex.org"}])
    )
    assert "x@ex.org" in plan_html(plan)


def test_html_is_a_print_ready_standalone_document(framework):
    html = plan_html(full_plan(framework))
    assert html.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in html
    assert "<title>My plan: Amelia Hartley</title>" in html
    assert "@media print" in html
    assert "size: A4" in html
    assert "page-break-inside: avoid" in html
    assert "<link" not in html and "<script" not in html  # nothing fetched, nothing run


# ---------------------------------------------------------------------------------------
# Hostile text


def hostile_plan(framework) -> PlanData:
    return full_plan(
        framework,
        participant=Participant(name=IMG, email="amelia@example.com", department=SCRIPT),
        shortlist=MentorShortlist(
            entries=[{"mentor_email": "zoe@example.org", "note": f"{IMG}\n{SCRIPT}"}]
        ),
        goals=[SmartGoal(title=IMG, specific=SCRIPT, milestones=[{"title": SCRIPT}])],
        check_ins=[
            CheckIn(
                met_on=date(2026, 2, 1),
                topics=[IMG],
                learned=f"{SCRIPT}\n{IMG}",
                action_items=[{"text": IMG}],
            )
        ],
    )


def test_hostile_text_is_escaped_in_html(framework):
    html = plan_html(hostile_plan(framework))
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    tags = parse(html).tags
    assert "img" not in tags
    assert "script" not in tags
    assert set(tags) <= PLAN_TAGS


#: A `<` that is not backslash-escaped: it could open a tag in a Markdown viewer.
UNESCAPED_ANGLE = re.compile(r"(?<!\\)<(?!br>)")


def rendered_tags(markdown: str) -> set[str]:
    """The elements a CommonMark renderer that passes raw HTML through would produce."""
    mistune = pytest.importorskip("mistune")
    render = mistune.create_markdown(escape=False, plugins=["table", "strikethrough"])
    return set(parse(render(markdown)).tags)


def test_hostile_text_is_neutralised_in_markdown(framework):
    markdown = plan_markdown(hostile_plan(framework))
    assert UNESCAPED_ANGLE.search(markdown) is None
    assert "\\<img src=x onerror=alert(1)>" in markdown
    assert "&lt;" not in markdown and "&amp;" not in markdown
    assert not {"img", "script"} & rendered_tags(markdown)


def test_markdown_shows_ampersands_and_angle_brackets_as_typed(framework):
    plan = full_plan(
        framework,
        participant=Participant(name="Tom & Jerry <b>", email="amelia@example.com"),
        goals=[SmartGoal(title="R&D: 5 < 6 > 4 and &amp; stays")],
    )
    markdown = plan_markdown(plan)
    assert "**Tom & Jerry \\<b>**" in markdown
    assert "### R&D: 5 \\< 6 > 4 and \\&amp; stays" in markdown
    assert "b" not in rendered_tags(markdown)


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        (IMG, "\\<img src=x onerror=alert(1)>"),
        ("Tom & Jerry <b>", "Tom & Jerry \\<b>"),
        ("Salt & pepper", "Salt & pepper"),
        ("&lt;b&gt;", "\\&lt;b\\&gt;"),
        ("&#60; &#x3C; &copy; &nope", "\\&#60; \\&#x3C; \\&copy; &nope"),
        ("5 > 4", "5 > 4"),
        ("<!-- hidden -->", "\\<!-- hidden -->"),
        ("# Heading", "\\# Heading"),
        ("   ## Indented heading", "\\## Indented heading"),
        ("> quote", "\\> quote"),
        ("- item", "\\- item"),
        ("+ item", "\\+ item"),
        ("* item", "\\* item"),
        ("1. item", "1\\. item"),
        ("12) item", "12\\) item"),
        ("3.5 years", "3.5 years"),
        ("===", "\\==="),
        ("---", "\\---"),
        ("[click](https://evil.example)", "\\[click\\](https://evil.example)"),
        ("![x](https://evil.example/x.png)", "!\\[x\\](https://evil.example/x.png)"),
        ("<https://evil.example>", "\\<https://evil.example>"),
        ("`code`", "\\`code\\`"),
        ("a | b", "a \\| b"),
        ("snake_case and *stars*", "snake_case and \\*stars\\*"),
        ("_under_ and __init__ and a_b_", "\\_under\\_ and \\_\\_init\\_\\_ and a_b\\_"),
        ("first_last@example.com", "first_last@example.com"),
        ("~~gone~~", "\\~\\~gone\\~\\~"),
        ("$\\href{x}{y}$", "\\$\\\\href{x}{y}\\$"),
        ("back\\slash", "back\\\\slash"),
        ("not # a heading - nor a list", "not # a heading - nor a list"),
        ("line one\n# two\n  3. three", "line one\n\\# two\n3\\. three"),
        ("windows\r\nline", "windows\nline"),
        ("", ""),
    ],
)
def test_markdown_escape(text, escaped):
    assert markdown_escape(text) == escaped


# ---------------------------------------------------------------------------------------
# Properties

SAFE_CHARACTERS = st.characters(exclude_categories=("Cs", "Cc"), include_characters="\n\t")
ANY_TEXT = st.one_of(
    st.text(SAFE_CHARACTERS, max_size=40),
    st.sampled_from([IMG, SCRIPT, "</p><p>", "&amp;", "<!--", "]]>", "{{ x }}", "\n\n"]),
    st.lists(st.sampled_from([IMG, SCRIPT, "<", ">", "&", '"', "'", "x", "\n", " "])).map("".join),
).map(lambda text: text[:40])  # within every field's length limit


def _cleaned(text: str) -> str:
    return " ".join(text.split())


REQUIRED_TEXT = ANY_TEXT.filter(lambda t: _cleaned(t) != "")


def build_plan(framework, texts: dict, values: list[str]) -> PlanData:
    """A plan whose every free-text field comes from `texts`."""
    mentor = MentorProfile(
        name=texts["mentor_name"],
        email="zoe@example.org",
        title=texts["mentor_title"],
        organization=texts["mentor_org"],
        expertise=["delegation"],
        capacity=1,
    )
    return full_plan(
        Framework.model_validate(framework.model_dump()),
        workshop=Workshop(name=texts["workshop"], framework=framework),
        participant=Participant(
            name=texts["participant"], email="amelia@example.com", department=texts["department"]
        ),
        assessment=SelfAssessment(
            ratings={"negotiation": 2},
            values=values,
            career_goal=texts["career_goal"],
            preferences={"languages": [texts["language"]]},
        ),
        shortlist=MentorShortlist(
            entries=[{"mentor_email": "zoe@example.org", "note": texts["note"]}]
        ),
        mentors={"zoe@example.org": mentor},
        matched_mentor=mentor,
        agreement=MentoringAgreement(
            mentor_email="zoe@example.org",
            relationship_goals=[texts["relationship_goal"]],
            frequency="monthly",
            start_on=date(2026, 1, 1),
        ),
        goals=[
            SmartGoal(
                title=texts["goal"],
                specific=texts["specific"],
                measurable=texts["measurable"],
                achievable=texts["achievable"],
                relevant=texts["relevant"],
                time_bound=texts["time_bound"],
                milestones=[{"title": texts["milestone"]}],
            )
        ],
        check_ins=[
            CheckIn(
                met_on=date(2026, 2, 1),
                topics=[texts["topic"]],
                learned=texts["learned"],
                action_items=[{"text": texts["action"]}],
            )
        ],
    )


REQUIRED_FIELDS = (
    "mentor_name",
    "workshop",
    "participant",
    "language",
    "relationship_goal",
    "goal",
    "milestone",
    "topic",
    "action",
)
OPTIONAL_FIELDS = (
    "mentor_title",
    "mentor_org",
    "department",
    "career_goal",
    "note",
    "specific",
    "measurable",
    "achievable",
    "relevant",
    "time_bound",
    "learned",
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    texts=st.fixed_dictionaries(
        {field: REQUIRED_TEXT for field in REQUIRED_FIELDS}
        | {field: ANY_TEXT for field in OPTIONAL_FIELDS}
    ),
    values=st.lists(REQUIRED_TEXT, max_size=3, unique_by=_cleaned),
)
def test_any_text_in_any_field_renders_without_adding_elements(framework, texts, values):
    html = plan_html(build_plan(framework, texts, values))
    tags = parse(html).tags
    assert set(tags) <= PLAN_TAGS
    # the same plan with harmless text has exactly the same elements
    plain = {key: "x" if _cleaned(text) else "" for key, text in texts.items()}
    twin = plan_html(build_plan(framework, plain, [f"value {i}" for i in range(len(values))]))
    assert Counter(tags) == Counter(parse(twin).tags)
    markdown = plan_markdown(build_plan(framework, texts, values))
    assert UNESCAPED_ANGLE.search(markdown) is None


MARKDOWN_TOKENS = st.sampled_from(
    [
        *"[]()!<>*_`#-+=|~$\\&;:.",
        "1.",
        "2)",
        " ",
        "    ",
        "\t",
        "\n",
        "\n\n",
        "a",
        "word",
        "https://evil.example",
        "javascript:alert(1)",
        "amp;",
        "#x3C;",
        "[^1]",
        "```",
        "~~~",
        "---",
        "***",
        "<img src=x onerror=alert(1)>",
        "<a href='x'>",
        "<!--",
    ]
)
MARKDOWN_CONSTRUCTS = st.sampled_from(
    [
        "[a](https://evil.example)",
        "![a](x.png)",
        "[a]\n\n[a]: https://evil.example",
        "<b>a</b>",
        "**a**",
        "_a_",
        "`a`",
        "# a",
        "> a",
        "- a",
        "1. a",
        "a\n===",
        "| a | b |\n| - | - |\n| c | d |",
        "~~a~~",
        "$a$",
        "- [ ] a",
        "a[^1]\n\n[^1]: b",
        "    code",
        "```\ncode\n```",
    ]
)
MARKDOWNISH_TEXT = st.one_of(
    st.text(SAFE_CHARACTERS, max_size=60),
    st.lists(st.one_of(MARKDOWN_TOKENS, MARKDOWN_CONSTRUCTS), max_size=20).map("".join),
)


@settings(max_examples=300, deadline=None)
@given(text=MARKDOWNISH_TEXT)
def test_escaped_markdown_renders_as_the_same_plain_text(text):
    mistune = pytest.importorskip("mistune")
    render = mistune.create_markdown(
        escape=False, plugins=["table", "strikethrough", "footnotes", "task_lists", "math"]
    )
    html = render(markdown_escape(text))
    parsed = parse(html)
    assert set(parsed.tags) <= {"p", "br"}
    assert _cleaned("".join(parsed.text)) == _cleaned(text)


def test_templates_folder_sits_next_to_the_module():
    assert Path(TEMPLATES_DIR).is_dir()
    assert {"plan.html.j2", "plan.md.j2", "agreement.html.j2", "agreement.md.j2"} <= {
        p.name for p in Path(TEMPLATES_DIR).iterdir()
    }


def test_a_mentor_found_yourself_on_the_shortlist_is_in_the_plan_escaped(framework):
    kai = {"id": "own-1", "name": f"Kai {IMG}", "found_through": "an alumni group"}
    shortlist = MentorShortlist(
        prospects=[kai], entries=[{"prospect": "own-1", "note": "Ask about the scheme"}]
    )
    html = plan_html(full_plan(framework, shortlist=shortlist))
    assert "Kai &lt;img src=x onerror=alert(1)&gt;" in html and IMG not in html
    assert "found through an alumni group" in html
    assert "Ask about the scheme" in html


@pytest.mark.parametrize("render", [plan_html, plan_markdown])
def test_the_plan_records_the_wins_and_what_was_brought_to_each_meeting(framework, render):
    goals = [
        SmartGoal(
            title=f"Speak {IMG}",
            milestones=[{"title": "Outline", "done": True, "done_on": date(2026, 2, 3)}],
            status="done",
            done_on=date(2026, 2, 20),
        )
    ]
    check_ins = [CheckIn(met_on=date(2026, 2, 1), agenda=f"Ask about {SCRIPT}")]
    text = render(full_plan(framework, goals=goals, check_ins=check_ins))
    wins = text[text.index("My wins") : text.index("Check-ins", text.index("My wins"))]
    assert wins.index("20 February 2026") < wins.index("3 February 2026") < len(wins)
    assert "Goal reached: Speak" in wins and "Milestone: Outline" in wins
    assert "Before the meeting" in text and "Ask about" in text
    if render is plan_html:
        assert IMG not in text and SCRIPT not in text
    else:
        assert "Speak \\<img" in wins


def test_without_wins_the_plan_says_how_one_comes(framework):
    assert "None yet: tick a milestone done" in plan_html(full_plan(framework, goals=[]))


def test_the_plan_shows_the_growth_as_a_chart_in_html_and_in_words_in_both(framework):
    assessment = SelfAssessment(
        ratings={"public-speaking": 2, "negotiation": 1},
        reassessment={"public-speaking": 4, "negotiation": 1},
    )
    plan = full_plan(framework, assessment=assessment)
    html, markdown = plan_html(plan), plan_markdown(plan)
    for text in (html, markdown):
        assert "How I have grown" in text
        assert "Public speaking: 2 (Learning) at the start, 4 (Strong) at the end (up 2)" in text
        assert "Negotiation: 1 (New to me) at the start, 1 (New to me) at the end (the same)" in (
            text
        )
    assert '<svg role="img" aria-label="Ratings at the start and at the end' in html
    assert "<svg" not in markdown
    assert "How I have grown" not in plan_html(full_plan(framework))


def test_a_hostile_competency_name_is_escaped_inside_the_chart(framework):
    hostile = framework.model_copy(deep=True)
    hostile.areas[0].competencies[0].name = f"Speaking {SCRIPT}"
    first = hostile.areas[0].competencies[0].id
    assessment = SelfAssessment(ratings={first: 2}, reassessment={first: 3})
    workshop = Workshop(name="Spring mentoring cohort", framework=hostile)
    html = plan_html(full_plan(hostile, assessment=assessment, workshop=workshop))
    assert SCRIPT not in html and "Speaking &lt;script&gt;" in html
