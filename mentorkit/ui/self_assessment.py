"""01 Self-assessment: ratings, strengths and growth areas, values, goal, preferences.

At the end of the programme the participant rates the same competencies again (built on
request, or when a re-assessment is saved: one set of inputs is enough for a first visit)
and sees the two side by side, as a chart with its text alternative (`mentorkit.growth`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from html import escape
from typing import Any

import ipywidgets as widgets

from mentorkit.growth import CompetencyGrowth, growth, growth_chart, growth_sentences
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
from mentorkit.store import Store
from mentorkit.ui.fields import Fields, FieldSet, choices, time_zone_names
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
#: The text box of values not among the suggested ones, in the group of tick boxes.
OTHER_VALUES = "other"


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
        bind = self.fields.field
        competencies = self.framework.competencies()
        competency_choices = choices({c.id: c.name for c in competencies.values()})
        fields = Fields(LABEL_WIDTH)

        levels = choices(
            {n: f"{n} · {label}" for n, label in RATING_LABELS.items()}, blank="— not rated —"
        )
        self.ratings = self.fields.group(
            "ratings",
            {
                c.id: fields.dropdown(
                    c.name, levels, start.ratings.get(c.id), tooltip=c.description
                )
                for area in self.framework.areas
                for c in area.competencies
            },
            read=lambda rated: {cid: level for cid, level in rated.items() if level},
        )
        rating_rows: list[widgets.Widget] = [widgets.HTML("<h2>Rate yourself</h2>")]
        for area in self.framework.areas:
            rating_rows.append(
                widgets.HTML(
                    f"<h3>{escape(area.name)}</h3>"
                    f'<p class="mentorkit-muted">{escape(area.description)}</p>'
                )
            )
            rating_rows += [self.fields.placed(f"ratings.{c.id}") for c in area.competencies]

        def slots(key: str, kind: str, chosen: list[str]) -> list[widgets.Dropdown]:
            picked = self.fields.group(
                key,
                {
                    str(i): fields.dropdown(
                        f"{kind} {i + 1}",
                        competency_choices,
                        chosen[i] if i < len(chosen) and chosen[i] in competencies else None,
                    )
                    for i in range(PRIORITY_SLOTS)
                },
                read=lambda slots: _in_order(slots.values()),
            )
            return list(picked.values())

        self.strengths = slots("strengths", "Strength", start.strengths)
        self.growth_areas = slots("growth_areas", "Growth area", start.growth_areas)

        custom_values = [v for v in start.values if v not in SUGGESTED_VALUES]
        # Ticks are named for the page script, which keeps one made just before a reload.
        ticks = {
            value: widgets.Checkbox(
                value=value in start.values, description=value, indent=False
            ).add_class(f"mentorkit-field-value-{value.lower()}")
            for value in SUGGESTED_VALUES
        }
        other_values = fields.text(
            "Other values",
            ", ".join(custom_values),
            "comma-separated, e.g. Kindness, Curiosity",
            width="40rem",
        )
        # One text box fills the list of values: every problem with a value belongs to it,
        # and a value typed twice is shown there, not dropped.
        values = self.fields.group(
            "values",
            {**ticks, OTHER_VALUES: other_values},
            read=lambda given: [
                *(value for value in SUGGESTED_VALUES if given[value]),
                *split_list(given[OTHER_VALUES]),
            ],
            keys={**dict.fromkeys(ticks), OTHER_VALUES: "values"},
        )
        self.values = {value: values[value] for value in SUGGESTED_VALUES}
        self.other_values = values[OTHER_VALUES]
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
        formats = self.fields.group(
            "preferences.formats",
            {
                fmt.name: widgets.Checkbox(
                    value=fmt in prefs.formats,
                    description=f"Meet {_format_phrase(fmt)}",
                    indent=False,
                ).add_class(f"mentorkit-field-format-{fmt.name.lower().replace('_', '-')}")
                for fmt in MeetingFormat
            },
            read=lambda ticked: [fmt for fmt in MeetingFormat if ticked[fmt.name]],
            keys=dict.fromkeys(fmt.name for fmt in MeetingFormat),
        )
        self.formats = {fmt: formats[fmt.name] for fmt in MeetingFormat}
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
                options=list(time_zone_names()),
                ensure_option=False,
                placeholder="e.g. Europe/Berlin",
            ),
            read=lambda zone: zone.strip() or None,
        )
        self.languages = bind(
            "preferences.languages",
            fields.text(
                "Languages I can meet in",
                ", ".join(prefs.languages),
                "e.g. English, Spanish",
                width="40rem",
            ),
            read=split_list,
        )
        self.fields.restore(start.draft)
        self.chart = widgets.HTML()
        self.summary = widgets.HTML()
        # The end-of-programme ratings: inputs made on request (or for a saved one).
        self.levels = levels
        self.reassessment: dict[str, widgets.Dropdown] = {}
        self.reassessed_on = start.reassessed_on
        self._saved_reassessment = dict(start.reassessment)
        self.fields.computed("reassessment", self._reassessment)
        self.fields.computed("reassessed_on", lambda: self.reassessed_on)
        self.rate_again = widgets.Button(description="Rate myself again", button_style="primary")
        self.rate_again.on_click(
            guarded(session.notice)(lambda _button: self._build_reassessment())
        )
        self.reassessment_box = widgets.VBox()
        self.growth_chart = widgets.HTML().add_class("mentorkit-growth")
        # The ratings compared and what they drew: matplotlib takes a noticeable moment per
        # chart, and most changes (a value, a goal, a rating not made twice) leave it as is.
        self._growth_drawn: tuple[tuple[CompetencyGrowth, ...], str] | None = None

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
            widgets.HTML(
                '<h2 id="mentorkit-reassessment">At the end: rate yourself again</h2><p>At the '
                "end of the programme, rate the same competencies again, without looking at "
                "your first ratings: then see how you have grown.</p>"
            ),
            widgets.HBox([self.rate_again]),
            self.reassessment_box,
            self.growth_chart,
        ]
        self.fields.observe(guarded(session.notice)(self._changed))
        if start.reassessment:
            self._build_reassessment(focus=False)
        self._redraw(self.document())

    def _reassessment(self) -> dict[str, int]:
        """The end ratings: as saved until the inputs exist, then as they show."""
        if not self.reassessment:
            return self._saved_reassessment
        return {cid: level for cid, drop in self.reassessment.items() if (level := drop.value)}

    def _build_reassessment(self, *, focus: bool = True) -> None:
        """One input per competency, 'X at the end', by area, as the first ratings are."""
        if self.reassessment:
            return
        fields = Fields(LABEL_WIDTH)
        rows: list[widgets.Widget] = []
        changed = guarded(self.session.notice)(self._reassessed)
        for area in self.framework.areas:
            rows.append(widgets.HTML(f"<h3>{escape(area.name)} at the end</h3>"))
            for c in area.competencies:
                drop = fields.dropdown(
                    f"{c.name} at the end",
                    self.levels,
                    self._saved_reassessment.get(c.id),
                    tooltip=c.description,
                )
                drop.add_class(f"mentorkit-field-reassessment-{c.id}")
                drop.observe(changed, names="value")
                self.reassessment[c.id] = drop
                rows.append(drop)
        self.reassessment_box.children = rows
        self.rate_again.layout.display = "none"
        if focus and self.reassessment:
            next(iter(self.reassessment.values())).focus()

    def _reassessed(self, change: dict[str, Any]) -> None:
        if self.reassessed_on is None:
            self.reassessed_on = date.today()
        self._changed(change)

    def document(self) -> SelfAssessment:
        """The worksheet as a document: what is valid, and what is not kept as typed."""
        document = self.fields.document(self.fields.data(), problems=self._repeated_picks())
        assert isinstance(document, SelfAssessment)
        return document

    def _repeated_picks(self) -> dict[str, str]:
        """Each slot that repeats a pick of an earlier slot of its list, with the message
        shown beside it. The list saves each competency once; the slot is kept in the
        draft as chosen, so that a reload shows what the person picked, not a blank."""
        found: dict[str, str] = {}
        for key, kind, slots in (
            ("strengths", "strength", self.strengths),
            ("growth_areas", "growth area", self.growth_areas),
        ):
            first: dict[str, int] = {}
            for index, slot in enumerate(slots):
                if slot.value is None:
                    continue
                if slot.value in first:
                    found[f"{key}.{index}"] = (
                        f"{slot.label} is already {kind} {first[slot.value] + 1}: "
                        "pick another or leave this one blank"
                    )
                else:
                    first[slot.value] = index
        return found

    def _changed(self, _change: dict[str, Any]) -> None:
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
        self.growth_chart.value = self._growth_html(assessment)

    def _growth_html(self, assessment: SelfAssessment) -> str:
        """`growth_html`, drawn again only when the ratings it compares have changed."""
        found = tuple(growth(assessment, self.framework))
        if self._growth_drawn is None or self._growth_drawn[0] != found:
            self._growth_drawn = (found, growth_html(found))
        return self._growth_drawn[1]


def growth_html(found: Sequence[CompetencyGrowth]) -> str:
    """The first ratings and the end ones side by side (each competency rated twice, from
    `mentorkit.growth.growth`): the chart, and in words below it (its text alternative,
    for everyone: a screen reader, a printout, a glance)."""
    if not found:
        return ""
    words = "".join(f"<li>{escape(line)}</li>" for line in growth_sentences(found))
    return (
        "<h3>How I have grown</h3><figure>"
        f"{growth_chart(found)}<figcaption>In words:<ul>{words}</ul></figcaption></figure>"
    )


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


def _in_order(picks: Iterable[str | None]) -> list[str]:
    """The competencies picked in a list's slots, first to last, each once."""
    return list(dict.fromkeys(pick for pick in picks if pick))


def _format_phrase(fmt: MeetingFormat) -> str:
    return "in person" if fmt is MeetingFormat.IN_PERSON else f"by {fmt.value}"


def self_assessment_app(
    *, store: Store | None = None, environ: Mapping[str, str] | None = None
) -> WorksheetApp:
    """The Self-assessment app (the notebook 01_self_assessment calls this)."""
    return worksheet_app("01_self_assessment", SelfAssessmentView, store=store, environ=environ)
