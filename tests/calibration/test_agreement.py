"""Calibration statistics: published reference values, properties, and hand-checked examples."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.calibration.agreement import (
    RELIABILITY_THRESHOLD,
    AlphaEstimate,
    Level,
    Rating,
    alpha,
    alpha_by,
    alpha_of_matrix,
    session_summary,
)
from bot.calibration.interviewers import (
    InterviewerProfile,
    Shortfall,
    interviewer_profiles,
    severity,
)
from bot.calibration.overview import build_report, drift
from tests.helpers import ROOT

JAN = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)
FEB = datetime(2025, 2, 15, 12, 0, tzinfo=UTC)


def rating(
    session: int,
    rater: str,
    score: int,
    expected: int | None = None,
    *,
    question: str = "q-conflict",
    category: str = "behavioural",
    closed_at: datetime = JAN,
) -> Rating:
    return Rating(session, rater, score, expected, question, category, closed_at)


def panel(
    sessions: Mapping[int, Mapping[str, int]],
    expected: Mapping[int, int] | None = None,
    closed_at: datetime = JAN,
) -> list[Rating]:
    """Ratings from {session: {rater: score}}; session n closes n hours after ``closed_at``."""
    return [
        rating(
            session,
            rater,
            score,
            (expected or {}).get(session),
            closed_at=closed_at + timedelta(hours=session),
        )
        for session, scores in sessions.items()
        for rater, score in scores.items()
    ]


# --- Published reference values ---------------------------------------------------------------

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 coders, 12 units.
_: None = None  # a missing value, short so the table lines up
KRIPPENDORFF_2011: list[list[float | None]] = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],  # coder A
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],  # coder B
    [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],  # coder C
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],  # coder D
]


@pytest.mark.parametrize(
    ("level", "published"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_alpha_matches_krippendorffs_published_values(level: Level, published: float) -> None:
    value = alpha_of_matrix(KRIPPENDORFF_2011, level)
    assert value is not None
    assert round(value, 3) == published


def test_alpha_of_ratings_matches_the_published_ordinal_value_on_a_1_to_5_scale() -> None:
    # The example scores 1..5; alpha() derives its value domain from the data, so the 5s count.
    ratings = [
        rating(unit, coder, int(score))
        for coder, row in zip("ABCD", KRIPPENDORFF_2011, strict=True)
        for unit, score in enumerate(row)
        if score is not None
    ]
    estimate = alpha(ratings, bootstrap=200)
    assert estimate.value is not None
    assert round(estimate.value, 3) == 0.815
    # Krippendorff's n.. = 40: unit 12 has a single value and is not pairable.
    assert (estimate.units, estimate.pairable_units, estimate.pairable_values) == (12, 11, 40)
    assert estimate.low is not None and estimate.high is not None
    assert estimate.low <= estimate.value <= estimate.high <= 1.0


# --- Alpha properties --------------------------------------------------------------------------

RATERS = ["U01", "U02", "U03", "U04", "U05"]
session_scores = st.dictionaries(st.sampled_from(RATERS), st.integers(1, 4), min_size=1)
sessions_strategy = st.lists(session_scores, min_size=1, max_size=12)


def from_sessions(sessions: Sequence[Mapping[str, int]]) -> list[Rating]:
    return [
        rating(number, rater, score)
        for number, scores in enumerate(sessions)
        for rater, score in scores.items()
    ]


@given(
    truths=st.lists(st.integers(1, 4), min_size=2, max_size=12),
    raters=st.integers(2, 5),
)
def test_alpha_is_one_when_every_panel_agrees(truths: list[int], raters: int) -> None:
    assume(len(set(truths)) >= 2)  # some evidence is stronger than other evidence
    ratings = from_sessions([dict.fromkeys(RATERS[:raters], truth) for truth in truths])
    assert alpha(ratings, bootstrap=0).value == pytest.approx(1.0)


@given(sessions=sessions_strategy, data=st.data())
def test_alpha_does_not_depend_on_the_order_of_interviewers_or_sessions(
    sessions: list[dict[str, int]], data: st.DataObject
) -> None:
    renamed = dict(zip(RATERS, data.draw(st.permutations(RATERS)), strict=True))
    reordered = data.draw(st.permutations(sessions))
    shuffled = data.draw(
        st.permutations(from_sessions([{renamed[r]: s for r, s in x.items()} for x in reordered]))
    )
    original = alpha(from_sessions(sessions), bootstrap=0).value
    permuted = alpha(shuffled, bootstrap=0).value
    if original is None:
        assert permuted is None
    else:
        assert permuted == pytest.approx(original, abs=1e-12)


@given(sessions=sessions_strategy, score=st.integers(1, 4))
def test_alpha_is_not_enough_data_without_any_variation(
    sessions: list[dict[str, int]], score: int
) -> None:
    same = [dict.fromkeys(s, score) for s in sessions]
    estimate = alpha(from_sessions(same))
    assert (estimate.value, estimate.low, estimate.high) == (None, None, None)
    assert estimate.below_threshold is None


@given(scores=st.lists(st.integers(1, 4), min_size=0, max_size=12))
def test_alpha_is_not_enough_data_without_a_session_of_two_interviewers(
    scores: list[int],
) -> None:
    estimate = alpha(from_sessions([{"U01": score} for score in scores]))
    assert estimate.value is None
    assert (estimate.units, estimate.pairable_units, estimate.pairable_values) == (
        len(scores),
        0,
        0,
    )


def test_alpha_interval_is_reproducible_and_optional() -> None:
    ratings = from_sessions(
        [{"A": 1, "B": 1}, {"A": 3, "B": 4}, {"A": 4, "B": 4}, {"A": 2, "B": 3}]
    )
    first, again = alpha(ratings, bootstrap=300, seed=7), alpha(ratings, bootstrap=300, seed=7)
    assert first == again
    assert first.low is not None and first.high is not None and first.low <= first.high
    assert alpha(ratings, bootstrap=0).low is None
    # A single paired session can give a value but no spread worth reporting.
    single = alpha(from_sessions([{"A": 1, "B": 2}, {"A": 4}]))
    assert (single.low, single.high) == (None, None)


def test_below_threshold_uses_krippendorffs_0_667() -> None:
    assert RELIABILITY_THRESHOLD == 0.667
    assert AlphaEstimate(0.66, None, None, 5, 5, 10).below_threshold is True
    assert AlphaEstimate(0.667, None, None, 5, 5, 10).below_threshold is False
    assert AlphaEstimate(None, None, None, 5, 0, 0).below_threshold is None


def test_alpha_per_question_and_category() -> None:
    ratings = [
        rating(1, "A", 1, question="q1", category="design"),
        rating(1, "B", 1, question="q1", category="design"),
        rating(2, "A", 4, question="q1", category="design"),
        rating(2, "B", 4, question="q1", category="design"),
        rating(3, "A", 3, question="q2", category="design"),
    ]
    by_question = alpha_by(ratings, lambda r: r.question_id, bootstrap=0)
    assert list(by_question) == ["q1", "q2"]
    assert by_question["q1"].value == pytest.approx(1.0)
    assert by_question["q2"].value is None  # one interviewer: not enough data
    assert alpha_by(ratings, lambda r: r.category, bootstrap=0)["design"].units == 3


def test_an_interviewer_scoring_a_session_twice_is_an_error() -> None:
    with pytest.raises(ValueError, match="scored session 1 twice"):
        alpha([rating(1, "A", 2), rating(1, "A", 3), rating(1, "B", 3)])


def test_closed_at_must_be_timezone_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        rating(1, "A", 2, closed_at=datetime(2025, 1, 1))


# --- One session -------------------------------------------------------------------------------


def test_session_summary_of_a_five_interviewer_panel() -> None:
    summary = session_summary([2, 3, 3, 4, 1], expected=3)
    assert summary.enough_raters
    assert summary.n == 5
    assert summary.counts == {1: 1, 2: 1, 3: 2, 4: 1}
    assert summary.median == 3
    assert summary.mean == pytest.approx(2.6)  # 13 / 5
    # squared gaps from 2.6: .36 + .16 + .16 + 1.96 + 2.56 = 5.2; / (5 - 1) = 1.3
    assert summary.sd == pytest.approx(math.sqrt(1.3))
    # 10 pairs; identical: the two 3s -> 1; within one: that + 1-2, 2-3 (x2), 3-4 (x2) -> 6
    assert summary.exact_agreement == pytest.approx(0.1)
    assert summary.within_one_agreement == pytest.approx(0.6)
    assert summary.distance == pytest.approx(-0.4)  # the panel scored below the author


def test_session_summary_without_expected_score_has_no_distance() -> None:
    summary = session_summary([4, 4], expected=None)
    assert (summary.exact_agreement, summary.within_one_agreement) == (1.0, 1.0)
    assert summary.sd == 0.0
    assert summary.distance is None


@pytest.mark.parametrize("scores", [[], [3]])
def test_session_summary_with_fewer_than_two_interviewers_has_no_statistics(
    scores: list[int],
) -> None:
    summary = session_summary(scores, expected=2)
    assert not summary.enough_raters
    assert summary.counts == {1: 0, 2: 0, 3: len(scores), 4: 0}
    stats = (summary.median, summary.mean, summary.sd, summary.exact_agreement)
    assert stats == (None, None, None, None)
    assert (summary.within_one_agreement, summary.distance) == (None, None)


@pytest.mark.parametrize(("scores", "expected"), [([0, 3], None), ([3, 5], None), ([3, 3], 9)])
def test_session_summary_rejects_scores_off_the_rubric(
    scores: list[int], expected: int | None
) -> None:
    with pytest.raises(ValueError, match="not a rubric score"):
        session_summary(scores, expected)


# --- Severity ----------------------------------------------------------------------------------


def test_severity_shrinkage_on_a_hand_checked_panel() -> None:
    # Session  A  B  C   gap = score - mean of the other two       A     B     C
    #    1     3  3  3                                             0     0     0
    #    2     4  3  2                                           +1.5    0   -1.5
    #    3     3  2  1                                           +1.5    0   -1.5
    #    4     2  2  2                                             0     0     0
    # raw means: A +0.75, B 0, C -0.75 (4 sessions each)
    # within-interviewer variance: A 4 x 0.75^2 / 3 = 0.75, B 0, C 0.75
    #   pooled sigma^2 = (2.25 + 0 + 2.25) / (3 + 3 + 3) = 0.5; noise of a mean 0.5 / 4 = 0.125
    # variance of raw means (0.75, 0, -0.75) = 1.125 / 2 = 0.5625
    #   tau^2 = 0.5625 - 0.125 = 0.4375
    # weight = 0.4375 / (0.4375 + 0.125) = 7/9; shrunk A = 0.75 x 7/9 = 7/12
    # posterior sd = sqrt(0.4375 x 0.125 / 0.5625) = sqrt(7/72); interval 7/12 +- 1.96 sd
    ratings = panel(
        {
            1: {"A": 3, "B": 3, "C": 3},
            2: {"A": 4, "B": 3, "C": 2},
            3: {"A": 3, "B": 2, "C": 1},
            4: {"A": 2, "B": 2, "C": 2},
        }
    )
    result = severity(ratings)
    sd = math.sqrt(7 / 72)
    a, b, c = result["A"], result["B"], result["C"]
    assert (a.sessions, a.raw, c.raw, b.raw) == (4, 0.75, -0.75, 0.0)
    assert a.shrunk == pytest.approx(7 / 12)
    assert c.shrunk == pytest.approx(-7 / 12)  # negative: harsh
    assert b.shrunk == pytest.approx(0.0)
    assert (a.low, a.high) == pytest.approx((7 / 12 - 1.96 * sd, 7 / 12 + 1.96 * sd))
    assert (b.low, b.high) == pytest.approx((-1.96 * sd, 1.96 * sd))
    assert a.interval_contains_zero  # 4 sessions are not yet proof of leniency: low = -0.028


def test_severity_is_zero_with_a_real_interval_when_nobody_differs() -> None:
    # Gaps: A +1, -1 and B -1, +1 -> raw means 0 and 0, so tau^2 = max(0, 0 - ...) = 0.
    # sigma^2 = pooled variance (2 + 2) / (1 + 1) = 2; noise of a mean = 2 / 2 = 1 -> +-1.96.
    result = severity(panel({1: {"A": 3, "B": 2}, 2: {"A": 2, "B": 3}}))
    for rater in "AB":
        assert result[rater].shrunk == 0.0
        assert (result[rater].low, result[rater].high) == pytest.approx((-1.96, 1.96))


def test_an_interviewer_with_fewer_sessions_is_shrunk_more() -> None:
    # H1 and H2 both score exactly one point below two peers who agree: raw severity -1 each,
    # but H1 has 8 sessions and H2 only 2.
    sessions: dict[int, dict[str, int]] = {}
    for number in range(1, 11):
        peers = 3 if number % 2 else 4
        harsh = "H1" if number <= 8 else "H2"
        sessions[number] = {"P1": peers, "P2": peers, harsh: peers - 1}
    result = severity(panel(sessions))
    h1, h2 = result["H1"], result["H2"]
    assert h1.raw == h2.raw == -1.0
    assert (h1.sessions, h2.sessions) == (8, 2)
    assert h1.shrunk < h2.shrunk < 0
    assert h2.high - h2.low > h1.high - h1.low
    assert not h1.interval_contains_zero


@given(sessions=sessions_strategy)
def test_shrunk_severity_lies_in_its_interval_and_between_zero_and_raw(
    sessions: list[dict[str, int]],
) -> None:
    for sev in severity(from_sessions(sessions)).values():
        assert sev.low < sev.shrunk < sev.high
        assert abs(sev.shrunk) <= abs(sev.raw) + 1e-12
        assert sev.shrunk * sev.raw >= 0


def test_severity_ignores_sessions_scored_by_one_interviewer() -> None:
    result = severity(panel({1: {"A": 1}, 2: {"A": 3, "B": 3}}))
    assert result["A"].sessions == 1
    assert severity(panel({1: {"A": 1}})) == {}


# --- Interviewer profiles and the calibrated rule ------------------------------------------------

CALIBRATED_PANEL = {
    1: {"X": 3, "P1": 3, "P2": 4},
    2: {"X": 2, "P1": 3, "P2": 2},
    3: {"X": 4, "P1": 4, "P2": 3},
    4: {"X": 2, "P1": 1, "P2": 1},
    5: {"X": 3, "P1": 2, "P2": 3},
}
EXPECTED = {1: 3, 2: 2, 3: 4, 4: 1, 5: 3}


def profile_of(ratings: list[Rating], rater: str) -> InterviewerProfile:
    return next(p for p in interviewer_profiles(ratings) if p.rater == rater)


def test_an_interviewer_close_to_the_key_and_to_peers_is_calibrated() -> None:
    x = profile_of(panel(CALIBRATED_PANEL, EXPECTED), "X")
    assert x.calibrated
    assert x.shortfalls == () and x.reasons() == ()
    assert x.sessions == x.expected_sessions == 5
    assert x.within_one_of_expected == x.recent_within_one == 1.0
    assert x.exact_expected == pytest.approx(0.8)  # session 4: 2 for an expected 1
    assert x.middle_share == pytest.approx(0.8)  # scores 3, 2, 4, 2, 3: all but the 4
    # gaps: -0.5, -0.5, +0.5, +1, +0.5 -> mean absolute 3 / 5
    assert x.mean_abs_deviation == pytest.approx(0.6)
    assert x.ranked


def test_four_sessions_are_not_enough_to_be_calibrated() -> None:
    four = {n: s for n, s in CALIBRATED_PANEL.items() if n <= 4}
    x = profile_of(panel(four, EXPECTED), "X")
    assert not x.calibrated
    assert Shortfall.FEW_SESSIONS in x.shortfalls
    assert "4 of 5 sessions" in x.reasons()
    assert x.ranked  # 3 sessions are enough to show a severity, though


def test_a_consistently_harsh_interviewer_is_not_calibrated() -> None:
    # H is always one point below two agreeing peers, yet within one of the expected 3.
    sessions = {n: {"P1": 3 + n % 2, "P2": 3 + n % 2, "H": 2 + n % 2} for n in range(1, 9)}
    h = profile_of(panel(sessions, dict.fromkeys(sessions, 3)), "H")
    assert h.recent_within_one == 1.0
    assert h.severity is not None and h.severity.high < 0
    assert not h.calibrated
    assert h.shortfalls == (Shortfall.SEVERITY,)
    assert h.reasons()[0].startswith("scores harsher than peers")


def test_calibration_looks_at_the_five_latest_sessions_with_an_expected_score() -> None:
    # Three early sessions where the whole panel was far from the key, then five good ones.
    early = {n: {"X": 1, "P1": 1, "P2": 1} for n in (11, 12, 13)}
    ratings = panel(early, dict.fromkeys(early, 3), closed_at=JAN - timedelta(days=20))
    ratings += panel(CALIBRATED_PANEL, EXPECTED)
    x = profile_of(ratings, "X")
    assert x.within_one_of_expected == pytest.approx(5 / 8)
    assert x.recent_within_one == 1.0
    assert x.calibrated


def test_scoring_far_from_the_key_says_how_far() -> None:
    far = {n: {"X": 1, "P1": 1, "P2": 1} for n in (1, 2)} | {
        n: {"X": 3, "P1": 3, "P2": 3} for n in (3, 4, 5)
    }
    x = profile_of(panel(far, dict.fromkeys(far, 3)), "X")
    assert Shortfall.OFF_EXPECTED in x.shortfalls
    assert "60% within one of expected in the last 5 (needs 80%)" in x.reasons()


def test_pasted_evidence_alone_cannot_calibrate_anyone() -> None:
    x = profile_of(panel(CALIBRATED_PANEL), "X")  # no expected scores
    assert x.expected_sessions == 0 and x.within_one_of_expected is None
    assert x.shortfalls == (Shortfall.FEW_EXPECTED,)


def test_an_interviewer_never_paired_with_peers_is_unranked_and_uncalibrated() -> None:
    ratings = panel({n: {"Solo": 3} for n in range(1, 6)}, dict.fromkeys(range(1, 6), 3))
    solo = profile_of(ratings, "Solo")
    assert solo.severity is None and solo.mean_abs_deviation is None
    assert not solo.ranked
    assert solo.shortfalls == (Shortfall.NO_PEERS,)


def test_two_shared_sessions_are_too_few_to_rank() -> None:
    x = profile_of(panel({1: {"X": 3, "Y": 2}, 2: {"X": 3, "Y": 3}}), "X")
    assert x.severity is not None and x.severity.sessions == 2
    assert not x.ranked


# --- Drift and the report ----------------------------------------------------------------------


def test_drift_has_one_entry_per_month() -> None:
    ratings = panel(CALIBRATED_PANEL, closed_at=JAN) + [
        rating(n + 100, r, s, closed_at=FEB)
        for n, p in CALIBRATED_PANEL.items()
        for r, s in p.items()
    ]
    months = drift(ratings, bootstrap=0)
    assert [m.month for m in months] == ["2025-01", "2025-02"]
    assert [m.sessions for m in months] == [5, 5]
    assert months[0].alpha.value == pytest.approx(months[1].alpha.value)
    assert set(months[0].severity) == {"X", "P1", "P2"}


def test_drift_is_empty_within_a_single_month() -> None:
    assert drift(panel(CALIBRATED_PANEL)) == []
    assert drift([]) == []


def test_months_are_calendar_months_in_utc() -> None:
    new_york = timezone(timedelta(hours=-5))
    late = datetime(2025, 1, 31, 21, 0, tzinfo=new_york)  # 2025-02-01 02:00 UTC
    ratings = [rating(1, "A", 2, closed_at=late), rating(2, "A", 3, closed_at=JAN)]
    assert [m.month for m in drift(ratings, bootstrap=0)] == ["2025-01", "2025-02"]


def test_report_to_dict_is_plain_json_with_three_decimals() -> None:
    ratings = panel(CALIBRATED_PANEL, EXPECTED) + [
        rating(50, "X", 2, closed_at=FEB),
        rating(50, "P1", 3, closed_at=FEB),
    ]
    report = build_report(ratings, bootstrap=100)
    assert (report.sessions, report.ratings, report.raters) == (6, 17, 3)
    assert report.sessions_with_expected == 5
    assert len(report.drift) == 2
    plain = report.to_dict()
    assert json.loads(json.dumps(plain)) == plain
    assert plain["overall"]["value"] == round(report.overall.value or 0.0, 3)
    assert plain["overall"]["below_threshold"] is True
    x = next(p for p in plain["profiles"] if p["rater"] == "X")
    assert x["calibrated"] is True and x["reasons"] == []
    assert x["severity"]["shrunk"] == round(x["severity"]["shrunk"], 3)

    def floats(value: object) -> list[float]:
        if isinstance(value, dict):
            return [f for v in value.values() for f in floats(v)]
        if isinstance(value, list):
            return [f for v in value for f in floats(v)]
        return [value] if isinstance(value, float) else []

    assert all(f == round(f, 3) for f in floats(plain))


def test_report_of_no_ratings_says_not_enough_data() -> None:
    plain = build_report([]).to_dict()
    assert plain["overall"]["value"] is None
    assert (plain["profiles"], plain["drift"], plain["by_question"]) == ([], [], {})


def test_importing_the_statistics_does_not_load_numpy_or_krippendorff() -> None:
    code = (
        "import bot.calibration.agreement, sys; "
        "assert 'numpy' not in sys.modules; "
        "assert 'krippendorff' not in sys.modules; "
        "assert 'matplotlib' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
