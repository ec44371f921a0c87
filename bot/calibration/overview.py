"""The calibration report: the panel's agreement overall, per question and per category, each
interviewer's profile, and drift by month, assembled once and given as plain values for JSON/CSV."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from bot.calibration.agreement import (
    RELIABILITY_THRESHOLD,
    AlphaEstimate,
    Rating,
    alpha,
    alpha_by,
)
from bot.calibration.interviewers import InterviewerProfile, interviewer_profiles, severity

# --- Groupings and drift -----------------------------------------------------------------------


@dataclass(frozen=True)
class MonthlyDrift:
    """One calendar month (UTC, "YYYY-MM"): the panel's alpha and each shrunk severity."""

    month: str
    sessions: int
    alpha: AlphaEstimate
    severity: Mapping[str, float]


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
