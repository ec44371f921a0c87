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
from dataclasses import dataclass, fields, is_dataclass
from datetime import UTC, datetime
from enum import Enum, StrEnum
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
    units = [[r.score for r in group] for group in _by_session(ratings).values()]
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


def _by_session(ratings: Iterable[Rating]) -> dict[int, list[Rating]]:
    """Ratings grouped by session, in session order; an interviewer may score a session once."""
    sessions: dict[int, list[Rating]] = defaultdict(list)
    for rating in ratings:
        if any(other.rater == rating.rater for other in sessions[rating.session_id]):
            raise ValueError(f"{rating.rater} scored session {rating.session_id} twice")
        sessions[rating.session_id].append(rating)
    return dict(sorted(sessions.items()))


# --- Severity ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Severity:
    """How far an interviewer scores from their peers on the same evidence, in rubric points.

    Negative is harsh (below peers), positive is lenient. ``raw`` is the plain average gap over
    ``sessions`` shared with at least one peer; ``shrunk`` is the estimate to show and rank by,
    with ``low``..``high`` its 95% interval (see ``severity``).
    """

    rater: str
    sessions: int
    raw: float
    shrunk: float
    low: float
    high: float

    @property
    def interval_contains_zero(self) -> bool:
        """Whether the data is consistent with this interviewer scoring like their peers."""
        return self.low <= 0.0 <= self.high


def severity(ratings: Sequence[Rating]) -> dict[str, Severity]:
    """Each interviewer's severity: how far they score from peers, shrunk toward zero.

    In every session with at least two interviewers, each one's *gap* is their score minus the
    average of the other interviewers' scores on that same evidence. Comparing with peers on the
    same evidence cancels out how strong the evidence itself was. An interviewer's raw severity
    is the average of their gaps.

    A raw average over a couple of sessions is mostly luck, so it is pulled toward zero ("scores
    like peers") by empirical Bayes, treating gaps as normal: the less data an interviewer has
    and the noisier the gaps are, the further the pull. Two quantities set the pull:

    - the noise in a single gap (sigma squared): how much one interviewer's gaps vary around
      their own average, pooled over interviewers. If nobody has two gaps, the variance of all
      gaps is used instead, and if that is unavailable or zero, a floor of 0.25.
    - the real spread between interviewers (tau squared): how much the interviewers' averages
      differ, minus the part that noise alone would produce (sigma squared / sessions, averaged
      over interviewers); zero if noise explains all of it.

    The shown severity is raw x tau^2 / (tau^2 + sigma^2 / sessions), and its 95% interval is
    that value plus or minus 1.96 posterior standard deviations. When tau squared is zero the
    data shows no real differences: every severity is zero and the interval uses the noise of
    the interviewer's own average, so it is never of zero width.
    """
    gaps = peer_gaps(ratings)
    if not gaps:
        return {}
    sigma2 = _noise_variance(gaps.values())
    tau2 = _between_rater_variance(gaps.values(), sigma2)
    return {rater: _shrink(rater, values, sigma2, tau2) for rater, values in sorted(gaps.items())}


def peer_gaps(ratings: Sequence[Rating]) -> dict[str, list[float]]:
    """Each interviewer's score minus the mean of the other scores, per session with 2+ raters."""
    gaps: dict[str, list[float]] = defaultdict(list)
    for group in _by_session(ratings).values():
        if len(group) < MIN_RATERS:
            continue
        total = sum(r.score for r in group)
        for rating in group:
            gaps[rating.rater].append(rating.score - (total - rating.score) / (len(group) - 1))
    return dict(gaps)


def _noise_variance(gaps: Iterable[Sequence[float]]) -> float:
    """Pooled within-interviewer variance of gaps, with the fallbacks ``severity`` describes."""
    groups = [list(values) for values in gaps]
    degrees = sum(len(values) - 1 for values in groups if len(values) >= 2)
    if degrees > 0:
        pooled = sum(
            statistics.variance(values) * (len(values) - 1) for values in groups if len(values) >= 2
        )
        estimate = pooled / degrees
    else:
        everything = [gap for values in groups for gap in values]
        estimate = statistics.variance(everything) if len(everything) >= 2 else 0.0
    return estimate if estimate > 0 else NOISE_VARIANCE_FLOOR


def _between_rater_variance(gaps: Iterable[Sequence[float]], sigma2: float) -> float:
    """Method-of-moments spread of true severities: variance of averages minus expected noise."""
    groups = [list(values) for values in gaps]
    if len(groups) < 2:
        return 0.0
    averages = [statistics.fmean(values) for values in groups]
    noise = statistics.fmean(sigma2 / len(values) for values in groups)
    return max(0.0, statistics.variance(averages) - noise)


def _shrink(rater: str, gaps: Sequence[float], sigma2: float, tau2: float) -> Severity:
    """Normal-normal posterior of one interviewer's severity around a prior mean of zero."""
    raw = statistics.fmean(gaps)
    noise = sigma2 / len(gaps)
    if tau2 > 0:
        shrunk = raw * tau2 / (tau2 + noise)
        sd = math.sqrt(tau2 * noise / (tau2 + noise))
    else:
        shrunk, sd = 0.0, math.sqrt(noise)
    return Severity(rater, len(gaps), raw, shrunk, shrunk - Z_95 * sd, shrunk + Z_95 * sd)


# --- Interviewer profiles ----------------------------------------------------------------------


class Shortfall(StrEnum):
    """Why an interviewer is not (yet) calibrated; the UI says who needs another session."""

    FEW_SESSIONS = "fewer than 5 sessions"
    FEW_EXPECTED = "fewer than 5 sessions with an expected score"
    OFF_EXPECTED = "under 80% within one of expected"
    NO_PEERS = "no session shared with another interviewer"
    SEVERITY = "severity interval excludes zero"


@dataclass(frozen=True)
class InterviewerProfile:
    """One interviewer's calibration at a glance.

    ``sessions`` counts every session they scored; ``severity`` is ``None`` when none was shared
    with a peer. ``mean_abs_deviation`` is the average size of their peer gaps. The expected-score
    fields cover sessions whose evidence has an expected score: ``within_one_of_expected`` and
    ``exact_expected`` over all of them, ``recent_within_one`` over the latest 5 (the window the
    calibration rule uses). ``middle_share`` is the share of No/Yes ratings. ``ranked`` is
    false with "too few sessions" to rank severity (fewer than 3 shared with peers).
    ``calibrated`` holds when ``shortfalls`` is empty.
    """

    rater: str
    sessions: int
    severity: Severity | None
    mean_abs_deviation: float | None
    expected_sessions: int
    within_one_of_expected: float | None
    exact_expected: float | None
    recent_within_one: float | None
    middle_share: float
    ranked: bool
    calibrated: bool
    shortfalls: tuple[Shortfall, ...]

    def reasons(self) -> tuple[str, ...]:
        """The shortfalls as short sentences with this interviewer's numbers."""
        return tuple(_reason(self, shortfall) for shortfall in self.shortfalls)


def interviewer_profiles(ratings: Sequence[Rating]) -> list[InterviewerProfile]:
    """A profile per interviewer, ordered by Slack user id.

    Calibrated means all of: at least 5 sessions scored; among their 5 most recent sessions
    with an expected score (there must be 5), at least 80% scored within one point of it; and a
    severity interval that contains zero, i.e. no evidence they score harsher or more leniently
    than peers. A shared session is needed for the last part, so a lone scorer is not calibrated.
    """
    severities = severity(ratings)
    gaps = peer_gaps(ratings)
    by_rater: dict[str, list[Rating]] = defaultdict(list)
    for rating in ratings:
        by_rater[rating.rater].append(rating)
    return [
        _profile(rater, own, severities.get(rater), gaps.get(rater, []))
        for rater, own in sorted(by_rater.items())
    ]


def _profile(
    rater: str, own: Sequence[Rating], sev: Severity | None, gaps: Sequence[float]
) -> InterviewerProfile:
    """Assemble one interviewer's profile from their ratings, severity and peer gaps."""
    with_expected = sorted(
        (r for r in own if r.expected is not None), key=lambda r: (r.closed_at, r.session_id)
    )
    recent = with_expected[-CALIBRATION_SESSIONS:]
    shortfalls = _shortfalls(len(own), recent, sev)
    return InterviewerProfile(
        rater=rater,
        sessions=len(own),
        severity=sev,
        mean_abs_deviation=statistics.fmean(abs(g) for g in gaps) if gaps else None,
        expected_sessions=len(with_expected),
        within_one_of_expected=_share(with_expected, _within_one),
        exact_expected=_share(with_expected, lambda r: r.score == r.expected),
        recent_within_one=_share(recent, _within_one),
        middle_share=_share(own, lambda r: r.score in MIDDLE_SCORES) or 0.0,
        ranked=sev is not None and sev.sessions >= MIN_SESSIONS_TO_RANK,
        calibrated=not shortfalls,
        shortfalls=shortfalls,
    )


def _shortfalls(
    sessions: int, recent: Sequence[Rating], sev: Severity | None
) -> tuple[Shortfall, ...]:
    """The calibration rule's unmet conditions, in the order an interviewer can fix them."""
    found: list[Shortfall] = []
    if sessions < CALIBRATION_SESSIONS:
        found.append(Shortfall.FEW_SESSIONS)
    if len(recent) < CALIBRATION_SESSIONS:
        found.append(Shortfall.FEW_EXPECTED)
    within = _share(recent, _within_one)
    if within is not None and within < CALIBRATION_WITHIN_ONE:
        found.append(Shortfall.OFF_EXPECTED)
    if sev is None:
        found.append(Shortfall.NO_PEERS)
    elif not sev.interval_contains_zero:
        found.append(Shortfall.SEVERITY)
    return tuple(found)


def _reason(profile: InterviewerProfile, shortfall: Shortfall) -> str:
    """One shortfall in words, e.g. "60% within one of expected in the last 5 (needs 80%)"."""
    if shortfall is Shortfall.FEW_SESSIONS:
        return f"{profile.sessions} of {CALIBRATION_SESSIONS} sessions"
    if shortfall is Shortfall.FEW_EXPECTED:
        return (
            f"{profile.expected_sessions} of {CALIBRATION_SESSIONS} sessions with an expected score"
        )
    if shortfall is Shortfall.OFF_EXPECTED:
        share = round(100 * (profile.recent_within_one or 0.0))
        return (
            f"{share}% within one of expected in the last {CALIBRATION_SESSIONS} "
            f"(needs {round(100 * CALIBRATION_WITHIN_ONE)}%)"
        )
    if shortfall is Shortfall.SEVERITY and profile.severity is not None:
        side = "harsher" if profile.severity.shrunk < 0 else "more lenient"
        return f"scores {side} than peers (severity {profile.severity.shrunk:+.2f})"
    return shortfall.value


def _within_one(rating: Rating) -> bool:
    """Whether the score is at most one point from the evidence's expected score."""
    return rating.expected is not None and abs(rating.score - rating.expected) <= 1


def _share(items: Sequence[Rating], test: Callable[[Rating], bool]) -> float | None:
    """Share of ``items`` passing ``test``; ``None`` when there are none."""
    return sum(1 for item in items if test(item)) / len(items) if items else None


# --- Groupings and drift -----------------------------------------------------------------------


@dataclass(frozen=True)
class MonthlyDrift:
    """One calendar month (UTC, "YYYY-MM"): the panel's alpha and each shrunk severity."""

    month: str
    sessions: int
    alpha: AlphaEstimate
    severity: Mapping[str, float]


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


def month_of(rating: Rating) -> str:
    """The UTC calendar month a session closed in, as "YYYY-MM"."""
    return rating.closed_at.astimezone(UTC).strftime("%Y-%m")


def drift(ratings: Sequence[Rating], *, bootstrap: int = 1000, seed: int = 0) -> list[MonthlyDrift]:
    """Month by month alpha and severities, oldest first; empty when all fall in one month.

    Each month is computed from that month's sessions alone (shrinkage included), so a month
    with little data shows severities close to zero rather than a noisy trend.
    """
    months: dict[str, list[Rating]] = defaultdict(list)
    for rating in ratings:
        months[month_of(rating)].append(rating)
    if len(months) < 2:
        return []
    return [
        MonthlyDrift(
            month=month,
            sessions=len({r.session_id for r in group}),
            alpha=alpha(group, bootstrap=bootstrap, seed=seed),
            severity={rater: s.shrunk for rater, s in severity(group).items()},
        )
        for month, group in sorted(months.items())
    ]


# --- The report --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalibrationReport:
    """Everything the calibration views show, computed once from a set of ratings."""

    overall: AlphaEstimate
    by_question: Mapping[str, AlphaEstimate]
    by_category: Mapping[str, AlphaEstimate]
    profiles: tuple[InterviewerProfile, ...]
    drift: tuple[MonthlyDrift, ...]
    sessions: int
    ratings: int
    raters: int
    sessions_with_expected: int

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values: floats rounded to 3 decimals, enums as their text.

        Alphas also carry ``below_threshold``; profiles carry ``reasons`` in words.
        """
        return {
            "sessions": self.sessions,
            "ratings": self.ratings,
            "raters": self.raters,
            "sessions_with_expected": self.sessions_with_expected,
            "reliability_threshold": RELIABILITY_THRESHOLD,
            "overall": _alpha_dict(self.overall),
            "by_question": {k: _alpha_dict(v) for k, v in self.by_question.items()},
            "by_category": {k: _alpha_dict(v) for k, v in self.by_category.items()},
            "profiles": [_plain(p) | {"reasons": list(p.reasons())} for p in self.profiles],
            "drift": [_plain(d) | {"alpha": _alpha_dict(d.alpha)} for d in self.drift],
        }


def build_report(
    ratings: Sequence[Rating], *, bootstrap: int = 1000, seed: int = 0
) -> CalibrationReport:
    """Compute the full calibration report; ``bootstrap``/``seed`` apply to every alpha."""
    return CalibrationReport(
        overall=alpha(ratings, bootstrap=bootstrap, seed=seed),
        by_question=alpha_by(ratings, lambda r: r.question_id, bootstrap=bootstrap, seed=seed),
        by_category=alpha_by(ratings, lambda r: r.category, bootstrap=bootstrap, seed=seed),
        profiles=tuple(interviewer_profiles(ratings)),
        drift=tuple(drift(ratings, bootstrap=bootstrap, seed=seed)),
        sessions=len({r.session_id for r in ratings}),
        ratings=len(ratings),
        raters=len({r.rater for r in ratings}),
        sessions_with_expected=len({r.session_id for r in ratings if r.expected is not None}),
    )


def _alpha_dict(estimate: AlphaEstimate) -> dict[str, Any]:
    """An alpha as plain values, with whether it is below the reliability threshold."""
    plain: dict[str, Any] = _plain(estimate)
    return plain | {"below_threshold": estimate.below_threshold}


def _plain(value: Any) -> Any:
    """Dataclasses, mappings and sequences as dicts and lists; floats rounded to 3 places."""
    if isinstance(value, Enum):
        return value.value
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return round(value, 3) + 0.0 if math.isfinite(value) else None  # + 0.0: no "-0.0"
    if isinstance(value, datetime):
        return value.isoformat()
    return value
