"""How well a panel of interviewers agrees, and who scores harsher or more leniently than peers.

In a calibration *session* every interviewer on the panel scores the same evidence (a candidate
answer) on the anchored rubric 1 Strong no, 2 No, 3 Yes, 4 Strong yes. Evidence taken from the
bank carries the ``expected`` score its author set; pasted evidence has none.

Everything here is pure: ratings in, frozen dataclasses out, no I/O. Krippendorff's alpha comes
from the maintained ``krippendorff`` package and resampling from numpy; both are imported inside
the functions that need them, so importing this module stays cheap for the bot's start-up.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import numpy.typing as npt

RUBRIC: Mapping[int, str] = {1: "Strong no", 2: "No", 3: "Yes", 4: "Strong yes"}
"""The anchored rubric every panel scores on."""

MIDDLE_SCORES = frozenset({2, 3})
"""No and Yes: the ratings that avoid a strong opinion either way."""

MIN_RATERS = 2
"""A session needs two interviewers before anyone can agree or disagree."""

RELIABILITY_THRESHOLD = 0.667
"""Krippendorff's lowest alpha for drawing even tentative conclusions from the scores."""

MIN_SESSIONS_TO_RANK = 3
"""Fewer sessions shared with peers than this and a severity is "too few sessions" to rank."""

CALIBRATION_SESSIONS = 5
"""Sessions an interviewer needs, and the window of recent sessions with an expected score."""

CALIBRATION_WITHIN_ONE = 0.8
"""Share of that window that must be within one point of the expected score."""

MIN_UNITS_FOR_INTERVAL = 2
"""Sessions with 2+ raters needed before resampling them says anything about alpha's spread."""

NOISE_VARIANCE_FLOOR = 0.25
"""Stand-in for the per-session noise of a deviation when the data cannot estimate it."""

Z_95 = 1.96
"""Normal quantile for a two-sided 95% interval."""

Level = Literal["nominal", "ordinal", "interval", "ratio"]
"""Stevens' level of measurement, as the ``krippendorff`` package names it."""


@dataclass(frozen=True)
class Rating:
    """One interviewer's score for the evidence of one calibration session.

    ``score`` is normally a rubric level 1..4; it is not checked here so that published
    reference data on other scales can run through the same code. ``expected`` is the bank
    specimen's expected score, ``None`` for pasted evidence. ``closed_at`` must be aware.
    """

    session_id: int
    rater: str
    score: int
    expected: int | None
    question_id: str
    category: str
    closed_at: datetime

    def __post_init__(self) -> None:
        if self.closed_at.utcoffset() is None:
            raise ValueError(f"session {self.session_id}: closed_at must be timezone-aware")


# --- One session -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionSummary:
    """The panel's scores for one piece of evidence.

    ``counts`` has every rubric level 1..4 (zero when unused). With fewer than two raters the
    statistics (median, mean, sd, agreements, distance) are ``None``: one score is not a panel.
    ``distance`` is mean minus expected: negative means the panel scored below the author.
    """

    n: int
    counts: Mapping[int, int]
    expected: int | None
    median: float | None
    mean: float | None
    sd: float | None
    exact_agreement: float | None
    within_one_agreement: float | None
    distance: float | None

    @property
    def enough_raters(self) -> bool:
        """Whether at least two interviewers scored, so the statistics exist."""
        return self.n >= MIN_RATERS


def session_summary(scores: Sequence[int], expected: int | None) -> SessionSummary:
    """Summarise one session's rubric scores.

    Agreement is counted over rater *pairs*, so it does not depend on who scored first: exact
    agreement is the share of pairs with identical scores, within-one the share at most one point
    apart. The standard deviation is the sample one (n - 1), as the panel is a sample of
    interviewers. Raises ``ValueError`` for scores or an expected score outside the rubric.
    """
    for value in [*scores, *([] if expected is None else [expected])]:
        if value not in RUBRIC:
            raise ValueError(f"{value!r} is not a rubric score (1-4)")
    counts = {level: 0 for level in RUBRIC}
    for score in scores:
        counts[score] += 1
    n = len(scores)
    if n < MIN_RATERS:
        return SessionSummary(n, counts, expected, None, None, None, None, None, None)
    mean = statistics.fmean(scores)
    exact, within_one = _pair_agreement(counts, n)
    return SessionSummary(
        n=n,
        counts=counts,
        expected=expected,
        median=float(statistics.median(scores)),
        mean=mean,
        sd=statistics.stdev(scores),
        exact_agreement=exact,
        within_one_agreement=within_one,
        distance=None if expected is None else mean - expected,
    )


def _pair_agreement(counts: Mapping[int, int], n: int) -> tuple[float, float]:
    """Shares of rater pairs scoring identically, and at most one level apart."""
    pairs = n * (n - 1) / 2
    identical = sum(c * (c - 1) / 2 for c in counts.values())
    adjacent = sum(counts[level] * counts.get(level + 1, 0) for level in counts)
    return identical / pairs, (identical + adjacent) / pairs


# --- Krippendorff's alpha ----------------------------------------------------------------------


@dataclass(frozen=True)
class AlphaEstimate:
    """Krippendorff's alpha with a bootstrap 95% interval.

    ``value`` is ``None`` ("not enough data") when alpha is undefined: no session has two
    raters, or every paired score is the same so there is no disagreement to measure against.
    ``low``/``high`` are ``None`` without a value, with fewer than ``MIN_UNITS_FOR_INTERVAL``
    paired sessions, or when no resampling was asked for. ``units`` counts all sessions,
    ``pairable_units`` those with 2+ raters, ``pairable_values`` the scores in them (Krippendorff's
    n..); scores alone in their session carry no information about agreement.
    """

    value: float | None
    low: float | None
    high: float | None
    units: int
    pairable_units: int
    pairable_values: int

    @property
    def below_threshold(self) -> bool | None:
        """Whether alpha is under ``RELIABILITY_THRESHOLD``; ``None`` when there is no alpha.

        This judges the point estimate; ``high`` below the threshold is the stronger statement
        that even the optimistic end of the interval falls short.
        """
        return None if self.value is None else self.value < RELIABILITY_THRESHOLD


def alpha(ratings: Sequence[Rating], *, bootstrap: int = 1000, seed: int = 0) -> AlphaEstimate:
    """Ordinal Krippendorff's alpha with sessions as units and interviewers as coders.

    Alpha compares the disagreement observed within sessions with the disagreement expected if
    scores were paired at random; 1 is perfect agreement, 0 is chance. Ordinal distances respect
    that Strong no to No is a smaller step than Strong no to Strong yes without assuming the
    steps are equal.

    The value domain is the set of scores present in paired sessions rather than a fixed 1..4:
    ordinal distances only weigh levels somebody used, so unused rubric levels change nothing,
    and data on another scale (such as Krippendorff's published 1..5 example) still works.

    The 95% interval resamples sessions with replacement (``bootstrap`` times, numpy's
    ``default_rng(seed)``, so reports are reproducible) and takes the 2.5th and 97.5th
    percentiles, skipping resamples in which alpha is undefined. ``bootstrap=0`` skips it.
    Raises ``ValueError`` if an interviewer scored the same session twice.
    """
    units = [[r.score for r in group] for group in by_session(ratings).values()]
    return _estimate(units, "ordinal", bootstrap=bootstrap, seed=seed)


def alpha_of_matrix(
    matrix: Sequence[Sequence[float | None]], level: Level = "ordinal"
) -> float | None:
    """Krippendorff's alpha of a coders-by-units table (``None`` = missing), or ``None``.

    Rows are coders, columns are units, as in Krippendorff's papers; used to check this module
    against published values. ``None`` means alpha is undefined (see ``AlphaEstimate``).
    """
    width = max((len(row) for row in matrix), default=0)
    units: list[list[float]] = [[] for _ in range(width)]
    for row in matrix:
        for unit, value in zip(units, row, strict=False):
            if value is not None:
                unit.append(float(value))
    return _estimate(units, level, bootstrap=0, seed=0).value


def _estimate(
    units: Sequence[Sequence[float]], level: Level, *, bootstrap: int, seed: int
) -> AlphaEstimate:
    """Alpha and its interval for units given as lists of the scores they received."""
    paired = [unit for unit in units if len(unit) >= MIN_RATERS]
    domain = sorted({value for unit in paired for value in unit})
    counts = _value_counts(paired, domain)
    value = _alpha_of_counts(counts, domain, level)
    low = high = None
    if value is not None and bootstrap > 0 and len(paired) >= MIN_UNITS_FOR_INTERVAL:
        low, high = _bootstrap_interval(counts, domain, level, bootstrap=bootstrap, seed=seed)
    return AlphaEstimate(
        value=value,
        low=low,
        high=high,
        units=len(units),
        pairable_units=len(paired),
        pairable_values=sum(len(unit) for unit in paired),
    )


def _value_counts(units: Sequence[Sequence[float]], domain: Sequence[float]) -> npt.NDArray[Any]:
    """Units x values table: how many coders gave each value to each unit."""
    import numpy as np

    index = {value: i for i, value in enumerate(domain)}
    counts = np.zeros((len(units), len(domain)), dtype=np.int64)
    for row, unit in enumerate(units):
        for value in unit:
            counts[row, index[value]] += 1
    return counts


def _alpha_of_counts(
    counts: npt.NDArray[Any], domain: Sequence[float], level: Level
) -> float | None:
    """Alpha of paired units' value counts, ``None`` where the package would fail or give nan.

    ``krippendorff.alpha`` raises ``ValueError`` with no unit of 2+ coders or a one-value
    domain, and divides 0 by 0 (nan, with a numpy warning) when all pairable values are equal.
    Those cases are caught before calling it; a non-finite result still maps to ``None``.
    """
    import krippendorff
    import numpy as np

    if counts.shape[0] == 0 or np.count_nonzero(counts.sum(axis=0)) < 2:
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        value = float(
            krippendorff.alpha(
                value_counts=counts, value_domain=list(domain), level_of_measurement=level
            )
        )
    return value if math.isfinite(value) else None


def _bootstrap_interval(
    counts: npt.NDArray[Any], domain: Sequence[float], level: Level, *, bootstrap: int, seed: int
) -> tuple[float | None, float | None]:
    """Percentile 95% interval of alpha over sessions resampled with replacement."""
    import numpy as np

    rng = np.random.default_rng(seed)
    units = counts.shape[0]
    draws: list[float] = []
    for _ in range(bootstrap):
        value = _alpha_of_counts(counts[rng.integers(0, units, size=units)], domain, level)
        if value is not None:
            draws.append(value)
    if not draws:
        return None, None
    low, high = np.percentile(np.asarray(draws), [2.5, 97.5])
    return float(low), float(high)


def by_session(ratings: Iterable[Rating]) -> dict[int, list[Rating]]:
    """Ratings grouped by session, in session order; an interviewer may score a session once."""
    sessions: dict[int, list[Rating]] = defaultdict(list)
    for rating in ratings:
        if any(other.rater == rating.rater for other in sessions[rating.session_id]):
            raise ValueError(f"{rating.rater} scored session {rating.session_id} twice")
        sessions[rating.session_id].append(rating)
    return dict(sorted(sessions.items()))


def alpha_by(
    ratings: Sequence[Rating],
    key: Callable[[Rating], str],
    *,
    bootstrap: int = 1000,
    seed: int = 0,
) -> dict[str, AlphaEstimate]:
    """Alpha per group, e.g. ``key=lambda r: r.question_id`` or ``lambda r: r.category``."""
    groups: dict[str, list[Rating]] = defaultdict(list)
    for rating in ratings:
        groups[key(rating)].append(rating)
    return {
        name: alpha(group, bootstrap=bootstrap, seed=seed) for name, group in sorted(groups.items())
    }
