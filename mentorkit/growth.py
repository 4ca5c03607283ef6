"""Growth you can see: the end-of-programme re-assessment against the first one.

A participant rates the same competencies again at the end (`SelfAssessment.reassessment`).
This module compares the two, per competency and per area, and for the cohort (the mean
change per area, left out for an area fewer than `MIN_GROUP` people re-rated, so that
nobody's ratings can be told from the figure), and draws the comparison as a chart: an
SVG made by matplotlib (it needs no network, in Voilà or JupyterLab), always shown with
its text alternative.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from statistics import fmean
from typing import TYPE_CHECKING

from mentorkit.models import RATING_LABELS, Framework, SelfAssessment

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: An area's cohort figure is shown only when at least this many people re-rated it.
MIN_GROUP = 3


@dataclass(frozen=True)
class CompetencyGrowth:
    """One competency rated at the start and again at the end."""

    competency_id: str
    name: str
    area: str
    before: int
    after: int

    @property
    def change(self) -> int:
        return self.after - self.before


@dataclass(frozen=True)
class AreaChange:
    """The mean change of an area's competencies re-rated (None: too few people, for a
    cohort figure)."""

    area: str
    people: int
    change: float | None


def growth(assessment: SelfAssessment | None, framework: Framework) -> list[CompetencyGrowth]:
    """Each competency rated both at the start and at the end, in the framework's order."""
    if assessment is None:
        return []
    found = []
    for area in framework.areas:
        for competency in area.competencies:
            before = assessment.ratings.get(competency.id)
            after = assessment.reassessment.get(competency.id)
            if before is not None and after is not None:
                found.append(
                    CompetencyGrowth(competency.id, competency.name, area.name, before, after)
                )
    return found


def _area_means(growths: Sequence[CompetencyGrowth]) -> dict[str, float]:
    by_area: dict[str, list[int]] = {}
    for item in growths:
        by_area.setdefault(item.area, []).append(item.change)
    return {area: fmean(changes) for area, changes in by_area.items()}


def cohort_area_changes(
    assessments: Iterable[SelfAssessment], framework: Framework, *, min_group: int = MIN_GROUP
) -> list[AreaChange]:
    """The cohort's mean change per area: each person's mean change in the area, averaged
    over the people who re-rated it; None where fewer than `min_group` did."""
    per_area: dict[str, list[float]] = {area.name: [] for area in framework.areas}
    for assessment in assessments:
        for area, change in _area_means(growth(assessment, framework)).items():
            per_area[area].append(change)
    return [
        AreaChange(
            area, len(changes), round(fmean(changes), 2) if len(changes) >= min_group else None
        )
        for area, changes in per_area.items()
    ]


def _rating_words(rating: int) -> str:
    return f"{rating} ({RATING_LABELS[rating]})"


def growth_sentences(growths: Sequence[CompetencyGrowth]) -> list[str]:
    """The comparison in words: the chart's text alternative."""
    lines = []
    for item in growths:
        if item.change > 0:
            moved = f"up {item.change}"
        elif item.change < 0:
            moved = f"down {-item.change}"
        else:
            moved = "the same"
        lines.append(
            f"{item.name}: {_rating_words(item.before)} at the start, "
            f"{_rating_words(item.after)} at the end ({moved})"
        )
    return lines


def cohort_sentences(changes: Sequence[AreaChange], min_group: int = MIN_GROUP) -> list[str]:
    """The cohort's change per area in words, a suppressed area said to be so."""
    lines = []
    for item in changes:
        if item.change is None:
            lines.append(
                f"{item.area}: not shown, fewer than {min_group} people re-rated it ({item.people})"
            )
        else:
            lines.append(f"{item.area}: {item.change:+.2f} on average over {item.people} people")
    return lines


_PROLOG = re.compile(r"^.*?(?=<svg)", re.S)
_STYLE = re.compile(r"<style[^>]*>.*?</style>", re.S)
_METADATA = re.compile(r"<metadata>.*?</metadata>", re.S)


def _svg(figure: Figure, label: str) -> str:
    """The figure as inline SVG, labelled for screen readers; no XML prolog, no style
    element (its rules would reach the rest of the page), no metadata."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    svg = _METADATA.sub("", _STYLE.sub("", _PROLOG.sub("", buffer.getvalue(), count=1)))
    escaped = label.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{escaped}" ', 1)


def _bar_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float], str]],
    *,
    scale: tuple[float, float],
    label: str,
) -> str:
    """Horizontal grouped bars, one group per label (matplotlib, drawn off screen).

    A bare `Figure` needs no pyplot and no display backend: it is saved with matplotlib's
    SVG backend, so nothing global is switched to draw it.
    """
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    # Set for this drawing only (they are read when the figure is saved): the process's
    # own settings, which a notebook may use, are left alone.
    with rc_context(
        {
            "svg.fonttype": "none",  # text stays text: selectable, small
            "svg.hashsalt": "mentorkit",  # the same chart, the same SVG (ids are not random)
        }
    ):
        height = 0.5 + 0.45 * len(labels) * max(1, len(series))
        figure = Figure(figsize=(6.4, max(1.6, height)))
        axes = figure.subplots()
        width = 0.8 / len(series)
        positions = range(len(labels))
        for number, (name, values, colour) in enumerate(series):
            offsets = [p + number * width for p in positions]
            axes.barh(offsets, values, height=width, label=name, color=colour)
        axes.set_yticks([p + width * (len(series) - 1) / 2 for p in positions], labels=list(labels))
        axes.invert_yaxis()
        axes.set_xlim(*scale)
        axes.legend(loc="lower right", fontsize="small")
        axes.spines[["top", "right"]].set_visible(False)
        return _svg(figure, label)


def growth_chart(growths: Sequence[CompetencyGrowth]) -> str:
    """Before and after per competency, as inline SVG ('' when nothing was re-rated)."""
    if not growths:
        return ""
    return _bar_chart(
        [item.name for item in growths],
        [
            ("At the start", [item.before for item in growths], "#9fb3c8"),
            ("At the end", [item.after for item in growths], "#0e7c4a"),
        ],
        scale=(0, 5),
        label="Ratings at the start and at the end, per competency (text version below)",
    )


def cohort_chart(changes: Sequence[AreaChange]) -> str:
    """The cohort's mean change per area shown (suppressed areas left out), as inline SVG."""
    shown = [item for item in changes if item.change is not None]
    if not shown:
        return ""
    return _bar_chart(
        [item.area for item in shown],
        [("Mean change", [item.change or 0.0 for item in shown], "#0e7c4a")],
        scale=(
            min(-1.0, *(item.change or 0.0 for item in shown)),
            max(1.0, *(item.change or 0.0 for item in shown)),
        ),
        label="The cohort's mean change per area (text version below)",
    )
