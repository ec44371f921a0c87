"""Each interviewer against their peers on the same evidence: severity (shrunk with empirical
Bayes), deviation, agreement with the specimens' expected scores, and whether they count as
calibrated. Pure: ratings in, frozen dataclasses out."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.calibration.agreement import (
    CALIBRATION_SESSIONS,
    CALIBRATION_WITHIN_ONE,
    MIDDLE_SCORES,
    MIN_RATERS,
    MIN_SESSIONS_TO_RANK,
    NOISE_VARIANCE_FLOOR,
    Z_95,
    Rating,
    by_session,
)

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
    for group in by_session(ratings).values():
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
