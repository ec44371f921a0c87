"""PNG charts for calibration results, drawn with matplotlib's Agg renderer.

matplotlib is imported inside the drawing functions, so importing this module costs nothing at
the bot's start-up. Figures are built with the object API (``Figure`` + ``FigureCanvasAgg``)
instead of pyplot: pyplot keeps global figure state that is not thread-safe and leaks figures
in a long-running server, and using the Agg canvas directly needs no ``matplotlib.use`` call,
which would change the backend for the whole process.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import TYPE_CHECKING

from bot.calibration.agreement import RELIABILITY_THRESHOLD, RUBRIC, AlphaEstimate, SessionSummary
from bot.calibration.interviewers import InterviewerProfile
from bot.calibration.overview import CalibrationReport

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

DPI = 100
LABEL_LIMIT = 40
"""Longest question or interviewer label before it is cut with an ellipsis."""

HARSH_COLOUR = "#c0504d"
LENIENT_COLOUR = "#4f81bd"
NEUTRAL_COLOUR = "#7f7f7f"
RELIABLE_COLOUR = "#4f81bd"
UNRELIABLE_COLOUR = "#c0504d"


def score_distribution_png(summary: SessionSummary, title: str) -> bytes:
    """Bar chart of how many interviewers gave each rubric score in one session.

    Bars are labelled with the rubric names. A dashed line marks the expected score when the
    evidence has one, and a solid line the panel's mean when there are enough raters for one.
    """
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(6, 3.2), dpi=DPI, layout="constrained")
    axes = figure.add_subplot()
    levels = list(RUBRIC)
    counts = [summary.counts.get(level, 0) for level in levels]
    axes.bar(levels, counts, color=LENIENT_COLOUR)
    axes.set_ylim(0, max(counts, default=0) + 1)  # headroom for the legend
    axes.set_xticks(levels, [f"{level} {RUBRIC[level]}" for level in levels])
    axes.set_xlim(0.4, 4.6)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylabel("Interviewers")
    axes.set_title(_cut(title, 70))
    if summary.mean is not None:
        axes.axvline(
            summary.mean, color=HARSH_COLOUR, linewidth=3, label=f"Panel mean {summary.mean:.2f}"
        )
    if summary.expected is not None:  # drawn on top: it stays visible when the mean equals it
        expected = f"Expected {summary.expected} {RUBRIC.get(summary.expected, '')}".rstrip()
        axes.axvline(summary.expected, color="black", linestyle="--", zorder=3, label=expected)
    if summary.expected is not None or summary.mean is not None:
        axes.legend(loc="upper left", fontsize="small")
    return _png(figure)


def report_png(
    report: CalibrationReport,
    names: Mapping[str, str] | None = None,
    questions: Mapping[str, str] | None = None,
) -> bytes:
    """Two panels: interviewer severities with intervals, and alpha per question.

    ``names`` maps Slack user ids to display names and ``questions`` question ids to titles;
    ids are shown where a mapping has no entry. Only ranked interviewers are drawn (the others
    have too few sessions); questions without enough data are left out and counted in the title.
    """
    from matplotlib.figure import Figure

    ranked = sorted((p for p in report.profiles if p.ranked), key=_shrunk)
    scored = {q: a for q, a in report.by_question.items() if a.value is not None}
    rows = (max(len(ranked), 1), max(len(scored), 1))
    figure = Figure(figsize=(7, 1.6 + 0.32 * sum(rows)), dpi=DPI, layout="constrained")
    top, bottom = figure.subplots(2, 1, height_ratios=rows)
    _draw_severities(top, ranked, names or {}, unranked=len(report.profiles) - len(ranked))
    _draw_question_alphas(
        bottom, scored, questions or {}, missing=len(report.by_question) - len(scored)
    )
    return _png(figure)


def _draw_severities(
    axes: Axes, ranked: list[InterviewerProfile], names: Mapping[str, str], *, unranked: int
) -> None:
    """Shrunk severity per ranked interviewer as a point with its 95% interval."""
    title = "Severity vs peers (points, 95% interval)"
    if unranked:
        title += f"; {unranked} with too few sessions not shown"
    axes.set_title(title, fontsize="medium")
    if not ranked:
        _empty(axes, "No interviewer has 3 sessions shared with peers yet")
        return
    for row, profile in enumerate(ranked):
        sev = profile.severity
        assert sev is not None  # ranked profiles always have a severity
        colour = NEUTRAL_COLOUR
        if not sev.interval_contains_zero:
            colour = HARSH_COLOUR if sev.shrunk < 0 else LENIENT_COLOUR
        axes.errorbar(
            sev.shrunk,
            row,
            xerr=[[sev.shrunk - sev.low], [sev.high - sev.shrunk]],
            fmt="o",
            color=colour,
            capsize=3,
        )
    axes.axvline(0, color="black", linewidth=0.8)
    axes.set_yticks(
        range(len(ranked)), [_cut(names.get(p.rater, p.rater), LABEL_LIMIT) for p in ranked]
    )
    axes.set_ylim(-0.6, len(ranked) - 0.4)
    axes.set_xlabel("← harsher        more lenient →")


def _draw_question_alphas(
    axes: Axes, scored: Mapping[str, AlphaEstimate], questions: Mapping[str, str], *, missing: int
) -> None:
    """Alpha per question as bars, with intervals and a dashed line at the threshold."""
    title = "Agreement per question (Krippendorff's alpha)"
    if missing:
        title += f"; {missing} with not enough data not shown"
    axes.set_title(title, fontsize="medium")
    if not scored:
        _empty(axes, "No question has enough data yet")
        return
    ids = sorted(scored, key=lambda q: scored[q].value or 0.0)
    values = [scored[q].value or 0.0 for q in ids]
    colours = [RELIABLE_COLOUR if v >= RELIABILITY_THRESHOLD else UNRELIABLE_COLOUR for v in values]
    axes.barh(range(len(ids)), values, color=colours)
    for row, question in enumerate(ids):
        estimate = scored[question]
        if estimate.low is not None and estimate.high is not None and estimate.value is not None:
            below, above = estimate.value - estimate.low, estimate.high - estimate.value
            axes.errorbar(
                estimate.value,
                row,
                xerr=[[max(below, 0)], [max(above, 0)]],
                fmt="none",
                color="k",
                capsize=3,
            )
    axes.axvline(RELIABILITY_THRESHOLD, color="black", linestyle="--", linewidth=0.8)
    axes.set_yticks(range(len(ids)), [_cut(questions.get(q, q), LABEL_LIMIT) for q in ids])
    lowest = min([0.0, *values, *(a.low for a in scored.values() if a.low is not None)])
    axes.set_xlim(lowest - 0.05, 1.05)
    axes.set_xlabel(f"alpha (dashed: {RELIABILITY_THRESHOLD}, the minimum for conclusions)")


def _shrunk(profile: InterviewerProfile) -> float:
    """Sort key: harshest first."""
    return profile.severity.shrunk if profile.severity is not None else 0.0


def _empty(axes: Axes, message: str) -> None:
    """A panel that says there is nothing to draw yet."""
    axes.text(0.5, 0.5, message, ha="center", va="center", transform=axes.transAxes)
    axes.set_axis_off()


def _cut(text: str, limit: int) -> str:
    """Shorten a label to ``limit`` characters, marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _png(figure: Figure) -> bytes:
    """Render with the Agg canvas and free the figure's artists."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    buffer = io.BytesIO()
    try:
        FigureCanvasAgg(figure)  # attaches itself as the figure's canvas
        figure.savefig(buffer, format="png")
    finally:
        figure.clear()
    return buffer.getvalue()
