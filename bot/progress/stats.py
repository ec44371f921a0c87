"""Personal stats and leaderboards from a channel's activity. Pure functions, no I/O.

The product's rules:

- A round counts when it was posted and is open or revealed (`storage.activity` returns only
  those; rounds in other states are ignored here as well). What counts as an answer and as a
  vote is decided by `storage.activity`'s queries, which also add up the leaderboard's tallies.
- A user answered a round when they have a counted answer in it (a thread reply before the
  reveal, or a blind answer).
- Points: 1 per round answered + 1 per counted vote received from someone else. Equal points
  share a rank (1, 2, 2, 4); within a rank the user whose earliest answer in the window came
  first is listed first, then by user id. A practice round earns points only once a second
  person answered it, so nobody farms points by posting and answering practice questions alone.
- Streaks count the channel's round of each day only (sequence 0), in date order. Days without a
  round (weekends, pauses, holidays, skipped days) never break a streak, and neither does an
  unanswered round on a frozen day: a day the person was snoozed, or a day the channel's
  schedule has off (a holiday, a weekend) when someone started a round anyway. An answered
  round on a frozen day still counts. The most recent daily round, while still open and not
  answered, does not break it yet. The answer rate leaves frozen, unanswered days out too.
- Windows are in the channel's local dates: "today" is `now` in the channel's time zone, and
  the last N days are today and the N-1 days before it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from storage.activity import COUNTED_STATUSES, ChannelActivity, RoundRow, Tally

Period = Literal["week", "month", "all"]

PERIOD_DAYS: dict[str, int | None] = {"week": 7, "month": 30, "all": None}
RATE_DAYS = 30
TOP_CATEGORIES = 3


@dataclass(frozen=True)
class UserStats:
    user_id: str
    rounds_answered: int  # all time, daily and practice
    answer_rate_30d: float | None  # 0..1; None when the channel had no daily round in the window
    current_streak: int
    best_streak: int
    votes_received: int  # all time, from other people
    top_categories: list[tuple[str, int]]  # (category, rounds answered), most first


@dataclass(frozen=True)
class Standing:
    rank: int  # 1-based; equal points share a rank (1, 2, 2, 4)
    user_id: str
    points: int
    rounds: int
    votes: int


def local_today(now: datetime, timezone: str) -> date:
    """The date it is at `now` (an aware datetime) in `timezone` (an IANA name)."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("naive datetime given; pass an aware datetime")
    return now.astimezone(ZoneInfo(timezone)).date()


def never_frozen(day: date) -> bool:
    return False


def frozen_days(
    periods: Iterable[tuple[datetime, datetime]], timezone: str
) -> Callable[[date], bool]:
    """Whether a local date (in `timezone`) overlaps one of the periods [start, end)."""
    zone = ZoneInfo(timezone)
    spans = [
        (start.astimezone(zone).date(), (end - timedelta(microseconds=1)).astimezone(zone).date())
        for start, end in periods
        if end > start
    ]

    def frozen(day: date) -> bool:
        return any(first <= day <= last for first, last in spans)

    return frozen


def user_stats(
    activity: ChannelActivity,
    user_id: str,
    now: datetime,
    category_of: Callable[[str], str | None],
    frozen: Callable[[date], bool] = never_frozen,
) -> UserStats:
    """One person's numbers in the channel. `category_of` maps a question id to its category
    (None for a question that no longer exists; such rounds are left out of the categories);
    `frozen` says which local dates can't break the person's streak (snoozed, channel days off)."""
    rounds = _counted_rounds(activity.rounds)
    counted_ids = {r.id for r in rounds}
    answered = {
        a.round_id for a in activity.answers if a.user_id == user_id and a.round_id in counted_ids
    }
    votes_received = sum(
        1
        for v in activity.votes
        if v.author_id == user_id and v.voter_id != user_id and v.round_id in answered
    )

    # The day's round (sequence 0: scheduled, or the `/interview now` that took its place);
    # extra ad-hoc rounds on the same day are bonus practice and never break a streak.
    daily = sorted(
        (
            r
            for r in rounds
            if r.kind == "daily"
            and r.sequence == 0
            and (r.id in answered or not frozen(r.local_date))
        ),
        key=lambda r: (r.local_date, r.sequence),
    )
    current, best = _streaks(daily, answered)

    today = local_today(now, activity.timezone)
    recent = [r for r in daily if _within(r.local_date, today, RATE_DAYS)]
    rate = sum(r.id in answered for r in recent) / len(recent) if recent else None

    categories = Counter(
        category
        for r in rounds
        if r.id in answered and (category := category_of(r.question_id)) is not None
    )
    top = sorted(categories.items(), key=lambda item: (-item[1], item[0]))[:TOP_CATEGORIES]

    return UserStats(
        user_id=user_id,
        rounds_answered=len(answered),
        answer_rate_30d=rate,
        current_streak=current,
        best_streak=best,
        votes_received=votes_received,
        top_categories=top,
    )


def period_days(period: Period, now: datetime, timezone: str) -> tuple[date, date] | None:
    """The channel's local dates a leaderboard period covers, (first, last): today and the days
    before it; None for all time."""
    if period not in PERIOD_DAYS:
        raise ValueError(f"unknown period {period!r}; use one of {', '.join(PERIOD_DAYS)}")
    days = PERIOD_DAYS[period]
    if days is None:
        return None
    today = local_today(now, timezone)
    return today - timedelta(days=days - 1), today


def leaderboard(tallies: Iterable[Tally], limit: int = 10) -> list[Standing]:
    """The top `limit` people by points, from each person's tally over the period's rounds
    (`storage.activity.leaderboard_tallies` applies what counts)."""

    def points(tally: Tally) -> int:
        return tally.rounds + tally.votes

    order = sorted(tallies, key=lambda t: (-points(t), t.first_answer, t.user_id))
    standings: list[Standing] = []
    for place, tally in enumerate(order[: max(limit, 0)], start=1):
        shared = bool(standings) and standings[-1].points == points(tally)
        standings.append(
            Standing(
                rank=standings[-1].rank if shared else place,
                user_id=tally.user_id,
                points=points(tally),
                rounds=tally.rounds,
                votes=tally.votes,
            )
        )
    return standings


# -- helpers -----------------------------------------------------------------------------------


def _counted_rounds(rounds: Iterable[RoundRow]) -> list[RoundRow]:
    return [r for r in rounds if r.status in COUNTED_STATUSES]


def _within(day: date, today: date, days: int) -> bool:
    """Whether `day` is today or one of the `days - 1` days before it."""
    return today - timedelta(days=days - 1) <= day <= today


def _streaks(daily: list[RoundRow], answered: set[int]) -> tuple[int, int]:
    """(current, best) runs of answered rounds; `daily` is in (local_date, sequence) order."""
    hits = [r.id in answered for r in daily]
    if daily and daily[-1].status == "open" and not hits[-1]:
        hits.pop()  # today's round is still open: not answering it yet breaks nothing
    best = run = 0
    for hit in hits:
        run = run + 1 if hit else 0
        best = max(best, run)
    return run, best
