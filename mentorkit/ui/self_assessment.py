"""01 Self-assessment: ratings, strengths and growth areas, values, goal, preferences."""

from __future__ import annotations

from html import escape

import ipywidgets as widgets

from mentorkit.models import (
    RATING_LABELS,
    Competency,
    Framework,
    Frequency,
    MeetingFormat,
    SelfAssessment,
)
from mentorkit.plan import (
    chosen_growth_areas,
    chosen_strengths,
    ratings_by_area,
    suggested_growth_areas,
    suggested_strengths,
)
from mentorkit.ui.fields import Fields, FieldSet, choices
from mentorkit.ui.frame import guarded
from mentorkit.ui.html import split_list
from mentorkit.ui.shell import Session, WorksheetApp, worksheet_app

PRIORITY_SLOTS = 3
SUGGESTED_VALUES = (
    "Integrity",
    "Learning",
    "Family",
    "Creativity",
    "Impact",
    "Independence",
    "Security",
    "Recognition",
    "Collaboration",
    "Balance",
    "Fairness",
    "Adventure",
)
LABEL_WIDTH = "16rem"


class SelfAssessmentView(widgets.VBox):
    """The worksheet; every change is validated and autosaved."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.framework = session.workshop.framework
        self.autosaver = session.autosaver(SelfAssessment.kind)
        saved = self.autosaver.document
        start = saved if isinstance(saved, SelfAssessment) else SelfAssessment()
        self.fields = FieldSet(SelfAssessment, session.status, self.autosaver.key)
        bind = self.fields.add
        competencies = self.framework.competencies()
        competency_choices = choices({c.id: c.name for c in competencies.values()})
        fields = Fields(LABEL_WIDTH)

        self.ratings: dict[str, widgets.Dropdown] = {}
        rating_rows: list[widgets.Widget] = [widgets.HTML("<h2>Rate yourself</h2>")]
        levels = {n: f"{n} · {label}" for n, label in RATING_LABELS.items()}
        for area in self.framework.areas:
            rating_rows.append(
                widgets.HTML(
                    f"<h3>{escape(area.name)}</h3>"
                    f'<p class="mentorkit-muted">{escape(area.description)}</p>'
                )
            )
            for competency in area.competencies:
                dropdown = fields.dropdown(
                    competency.name,
                    choices(levels, blank="— not rated —"),
                    start.ratings.get(competency.id),
                    tooltip=competency.description,
                )
                self.ratings[competency.id] = bind(f"ratings.{competency.id}", dropdown)
                rating_rows.append(self.fields.placed(f"ratings.{competency.id}"))

        def slots(key: str, kind: str, chosen: list[str]) -> list[widgets.Dropdown]:
            return [
                bind(
                    f"{key}.{i}",
                    fields.dropdown(
                        f"{kind} {i + 1}",
                        competency_choices,
                        chosen[i] if i < len(chosen) and chosen[i] in competencies else None,
                    ),
                )
                for i in range(PRIORITY_SLOTS)
            ]

        self.strengths = slots("strengths", "Strength", start.strengths)
        self.growth_areas = slots("growth_areas", "Growth area", start.growth_areas)

        custom_values = [v for v in start.values if v not in SUGGESTED_VALUES]
        # Ticks are named for the page script, which keeps one made just before a reload.
        self.values = {
            value: widgets.Checkbox(
                value=value in start.values, description=value, indent=False
            ).add_class(f"mentorkit-field-value-{value.lower()}")
            for value in SUGGESTED_VALUES
        }
        # One text box fills the list of values: every problem with a value belongs to it.
        self.other_values = bind(
            "values",
            fields.text(
                "Other values",
                ", ".join(custom_values),
                "comma-separated, e.g. Kindness, Curiosity",
                width="40rem",
            ),
        )
        self.career_goal = bind(
            "career_goal",
            fields.textarea(
                "Career goal (1–3 years)",
                start.career_goal,
                "Where would you like to be in one to three years?",
                width="40rem",
            ),
        )
        prefs = start.preferences
        self.formats = {
            fmt: widgets.Checkbox(
                value=fmt in prefs.formats, description=f"Meet {_format_phrase(fmt)}", indent=False
            ).add_class(f"mentorkit-field-format-{fmt.name.lower().replace('_', '-')}")
            for fmt in MeetingFormat
        }
        self.frequency = bind(
            "preferences.frequency",
            fields.dropdown(
                "How often to meet",
                choices({f: f.value.capitalize() for f in Frequency}),
                prefs.frequency,
            ),
        )
        self.time_zone = bind(
            "preferences.time_zone",
            fields.make(
                widgets.Combobox,
                "My time zone",
                width="34rem",
                value=prefs.time_zone or "",
                options=_common_time_zones(),
                ensure_option=False,
                placeholder="e.g. Europe/Berlin",
            ),
        )
        self.languages = bind(
            "preferences.languages",
            fields.text(
                "Languages I can meet in",
                ", ".join(prefs.languages),
                "e.g. English, Spanish",
                width="40rem",
            ),
        )
        self.fields.restore(start.draft)
        self.chart = widgets.HTML()
        self.summary = widgets.HTML()

        self.children = [
            *rating_rows,
            widgets.HTML(
                "<h2>Strengths and growth areas</h2><p>Pick up to three of each, the most "
                "important first. Growth areas drive your mentor suggestions.</p>"
            ),
            *(self.fields.placed(f"strengths.{i}") for i in range(PRIORITY_SLOTS)),
            *(self.fields.placed(f"growth_areas.{i}") for i in range(PRIORITY_SLOTS)),
            widgets.HTML("<h2>What matters to me</h2>"),
            widgets.HBox(list(self.values.values())).add_class("mentorkit-choices"),
            self.fields.placed("values"),
            self.fields.placed("career_goal"),
            widgets.HTML("<h2>How I'd like to meet</h2>"),
            widgets.HBox(list(self.formats.values())).add_class("mentorkit-choices"),
            self.fields.placed("preferences.frequency"),
            self.fields.placed("preferences.time_zone"),
            self.fields.placed("preferences.languages"),
            widgets.HTML("<h2>My profile at a glance</h2>"),
            self.chart,
            self.summary,
        ]
        on_change = guarded(session.notice)(self._changed)
        for widget in self._inputs():
            widget.observe(on_change, names="value")
        self._redraw(self.document())

    def _inputs(self) -> list[widgets.Widget]:
        return [
            *self.ratings.values(),
            *self.strengths,
            *self.growth_areas,
            *self.values.values(),
            self.other_values,
            self.career_goal,
            *self.formats.values(),
            self.frequency,
            self.time_zone,
            self.languages,
        ]

    def document(self) -> SelfAssessment:
        """The worksheet as a document: what is valid, and what is not kept as typed."""

        def chosen(dropdowns: list[widgets.Dropdown]) -> list[str]:
            picked: list[str] = []
            for dropdown in dropdowns:
                if dropdown.value and dropdown.value not in picked:
                    picked.append(dropdown.value)
            return picked

        values = [v for v, box in self.values.items() if box.value]
        values += split_list(self.other_values.value)  # a repeat is shown, not dropped
        document = self.fields.document(
            {
                "ratings": {cid: d.value for cid, d in self.ratings.items() if d.value},
                "strengths": chosen(self.strengths),
                "growth_areas": chosen(self.growth_areas),
                "values": values,
                "career_goal": self.career_goal.value,
                "preferences": {
                    "formats": [f for f, box in self.formats.items() if box.value],
                    "frequency": self.frequency.value,
                    "time_zone": self.time_zone.value.strip() or None,
                    "languages": split_list(self.languages.value),
                },
            },
        )
        assert isinstance(document, SelfAssessment)
        return document

    def _changed(self, _change: dict) -> None:
        document = self.document()
        self.autosaver.request(lambda: document)
        self._redraw(document)

    def _redraw(self, assessment: SelfAssessment) -> None:
        bars = []
        for area, mean in ratings_by_area(assessment, self.framework):
            width = 0 if mean is None else round(mean / 5 * 100)
            shown = "not rated" if mean is None else f"{mean:.1f} of 5"
            bars.append(
                f'<div class="mentorkit-bar" role="img" aria-label="{escape(area.name)}: {shown}">'
                f'<span class="mentorkit-bar-label">{escape(area.name)}</span>'
                f'<span class="mentorkit-bar-track"><span class="mentorkit-bar-fill" '
                f'style="width:{width}%; display:block"></span></span>'
                f"<span>{shown}</span></div>"
            )
        self.chart.value = "<h3>Ratings by area</h3>" + "".join(bars)
        self.summary.value = summary_html(assessment, self.framework)


def summary_html(assessment: SelfAssessment, framework: Framework) -> str:
    """The strengths and growth areas picked, and apart from them, labelled as such, what
    the ratings suggest for the slots still free (a suggestion is never counted as a pick)."""

    def names(items: list[Competency]) -> str:
        return escape(", ".join(c.name for c in items))

    parts = []
    for label, chosen, suggested in (
        (
            "My strengths",
            chosen_strengths(assessment, framework),
            suggested_strengths(assessment, framework),
        ),
        (
            "My growth areas",
            chosen_growth_areas(assessment, framework),
            suggested_growth_areas(assessment, framework),
        ),
    ):
        picked = names(chosen) if chosen else '<span class="mentorkit-muted">none chosen yet</span>'
        parts.append(f"<p><strong>{label}:</strong> {picked}</p>")
        if suggested:
            parts.append(
                '<p class="mentorkit-muted mentorkit-suggestion">Suggested from your ratings: '
                f"{names(suggested)}. Not chosen: pick them above if they fit.</p>"
            )
    return "".join(parts)


def _format_phrase(fmt: MeetingFormat) -> str:
    return "in person" if fmt is MeetingFormat.IN_PERSON else f"by {fmt.value}"


def _common_time_zones() -> list[str]:
    from zoneinfo import available_timezones

    return sorted(
        z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/"))
    )


def self_assessment_app(**kwargs: object) -> WorksheetApp:
    """The Self-assessment app (the notebook 01_self_assessment calls this)."""
    return worksheet_app("01_self_assessment", SelfAssessmentView, **kwargs)
