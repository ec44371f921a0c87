"""Stats and leaderboards: the product's rules on hand-built activity, and the queries that apply
what counts (posted rounds, answers before the reveal, votes) and add up the leaderboard, against
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.service import ChannelService
from bot.progress.service import ProgressService
from bot.progress.stats import (
    Period,
    Standing,
    frozen_days,
    leaderboard,
    local_today,
    period_days,
    user_stats,
)
from bot.questions.library import QuestionLibrary
from storage.activity import (
    AnswerRow,
    ChannelActivity,
    RoundRow,
    Tally,
    VoteRow,
    leaderboard_tallies,
    person_activity,
)
from storage.blind import BlindAnswer
from storage.channels import ChannelSchedule
from storage.rounds import Answer, Round
from storage.votes import Vote
from tests.helpers import BANK

ALICE, BOB, CAROL, DAVE = "U0ALICE", "U0BOB", "U0CAROL", "U0DAVE"
TEAM, OTHER_TEAM, CHANNEL, OTHER_CHANNEL = "T1", "T2", "C1", "C2"

# January 2026: Thu 1, Fri 2, Sat 3, Sun 4, Mon 5, Tue 6, Wed 7, Thu 8, Fri 9, Sat 10, Sun 11,
# Mon 12, Tue 13, Wed 14, Thu 15.
MON, TUE, WED, THU, FRI = (date(2026, 1, d) for d in (5, 6, 7, 8, 9))
NEXT_MON, NEXT_TUE, NEXT_WED = date(2026, 1, 12), date(2026, 1, 13), date(2026, 1, 14)
NOW = datetime(2026, 1, 14, 12, 0, tzinfo=UTC)  # Wednesday noon UTC

PEOPLE = (ALICE, BOB, CAROL, DAVE)

CATEGORIES = {"q-sql": "databases", "q-cache": "system-design", "q-star": "behavioral"}


def ts(at: datetime) -> str:
    return f"{at.timestamp():.6f}"


# -- a small story builder -----------------------------------------------------------------------


class Story:
    """Rounds, answers and votes in one channel, written the way people tell them: kept as the
    activity the pure rules read, and saved to a database for the queries."""

    def __init__(self, timezone: str = "UTC") -> None:
        self.timezone = timezone
        self.rounds: list[RoundRow] = []
        self.answers: list[AnswerRow] = []
        self.votes: list[VoteRow] = []
        self.replies: list[tuple[int, str, datetime, bool]] = []  # (round, user, at, blind)
        self.saved = False

    def round(
        self,
        day: date,
        *answered_by: str,
        kind: str = "daily",
        status: str = "revealed",
        sequence: int = 0,
        question: str = "q-sql",
    ) -> int:
        """A round on `day`, answered by `answered_by` in that order (a minute apart, from 10:00;
        a later round of the same day a second later, so that no two replies share a ts); a
        revealed round was revealed at 18:00."""
        round_id = len(self.rounds) + 1
        self.rounds.append(RoundRow(round_id, day, sequence, kind, status, question))
        for i, user in enumerate(answered_by):
            self.answer(round_id, user, datetime.combine(day, time(10, i, sequence), UTC))
        return round_id

    def answer(self, round_id: int, user: str, at: datetime, *, blind: bool = False) -> None:
        """A reply in the round's thread at `at`, or an answer given privately (`blind`)."""
        self.answers.append(AnswerRow(round_id, user))
        self.replies.append((round_id, user, at, blind))

    def vote(self, round_id: int, author: str, *voters: str) -> None:
        """Votes on the author's first reply in the round."""
        self.votes.extend(VoteRow(round_id, author, voter) for voter in voters)

    def activity(self) -> ChannelActivity:
        return ChannelActivity(
            list(self.rounds), list(self.answers), list(self.votes), self.timezone
        )

    def save(self, sessions: sessionmaker[Session]) -> None:
        if self.saved:
            return
        self.saved = True
        with sessions.begin() as session:
            session.add(
                ChannelSchedule(
                    team_id=TEAM, channel_id=CHANNEL, timezone=self.timezone, updated_at=NOW
                )
            )
            ids = {}
            for r in self.rounds:
                posted_at = datetime.combine(r.local_date, time(9, r.sequence), UTC)
                rnd = Round(
                    team_id=TEAM,
                    channel_id=CHANNEL,
                    local_date=r.local_date,
                    sequence=r.sequence,
                    question_id=r.question_id,
                    status=r.status,
                    kind=r.kind,
                    claimed_at=posted_at,
                    message_ts=ts(posted_at),
                    posted_at=posted_at,
                    revealed_at=(
                        datetime.combine(r.local_date, time(18, 0), UTC)
                        if r.status == "revealed"
                        else None
                    ),
                )
                session.add(rnd)
                session.flush()
                ids[r.id] = rnd.id
            first_reply: dict[tuple[int, str], str] = {}
            for round_id, user, at, blind in self.replies:
                if blind:
                    session.add(
                        BlindAnswer(
                            round_id=ids[round_id],
                            team_id=TEAM,
                            user_id=user,
                            text="blind",
                            submitted_at=at,
                            updated_at=at,
                        )
                    )
                    continue
                session.add(
                    Answer(
                        round_id=ids[round_id],
                        team_id=TEAM,
                        channel_id=CHANNEL,
                        ts=ts(at),
                        user_id=user,
                        text="my answer",
                        version=ts(at),
                        received_at=at,
                    )
                )
                first_reply.setdefault((round_id, user), ts(at))
            for v in self.votes:
                message_ts = first_reply[(v.round_id, v.author_id)]
                session.add(
                    Vote(
                        team_id=TEAM,
                        channel_id=CHANNEL,
                        message_ts=message_ts,
                        voter_id=v.voter_id,
                        version=message_ts,
                        updated_at=NOW,
                    )
                )


def progress(sessions: sessionmaker[Session]) -> ProgressService:
    return ProgressService(
        sessions, QuestionLibrary(sessions, BANK), ChannelService(sessions), lambda _: WebClient()
    )


def board(
    sessions: sessionmaker[Session],
    story: Story,
    period: Period,
    now: datetime = NOW,
    limit: int = 10,
) -> list[Standing]:
    """The story's leaderboard, as the bot reads it from the database."""
    story.save(sessions)
    return progress(sessions).standings(TEAM, CHANNEL, period, now, limit)


def stats(story: Story, user: str = ALICE, now: datetime = NOW):
    return user_stats(story.activity(), user, now, CATEGORIES.get)


# -- streaks -------------------------------------------------------------------------------------


def test_answered_thu_fri_weekend_mon_is_a_streak_of_three() -> None:
    story = Story()
    story.round(THU, ALICE)
    story.round(FRI, ALICE)
    story.round(NEXT_MON, ALICE)  # no rounds on Saturday and Sunday

    result = stats(story)

    assert (result.current_streak, result.best_streak) == (3, 3)


def test_missed_wednesday_breaks_the_streak() -> None:
    story = Story()
    story.round(MON, ALICE)
    story.round(TUE, ALICE)
    story.round(WED, BOB)  # Alice did not answer
    story.round(THU, ALICE)
    story.round(FRI, ALICE)

    result = stats(story)

    assert (result.current_streak, result.best_streak) == (2, 2)


def test_todays_open_round_not_answered_yet_does_not_break_the_streak() -> None:
    story = Story()
    story.round(NEXT_MON, ALICE)
    story.round(NEXT_TUE, ALICE)
    story.round(NEXT_WED, BOB, status="open")  # today, Alice still has time

    assert stats(story).current_streak == 2


def test_todays_open_round_answered_extends_the_streak() -> None:
    story = Story()
    story.round(NEXT_MON, ALICE)
    story.round(NEXT_TUE, ALICE)
    story.round(NEXT_WED, ALICE, status="open")

    assert stats(story).current_streak == 3


def test_revealed_round_not_answered_breaks_the_streak() -> None:
    story = Story()
    story.round(NEXT_MON, ALICE)
    story.round(NEXT_TUE, ALICE)
    story.round(NEXT_WED, BOB)  # revealed: the chance is gone

    result = stats(story)

    assert (result.current_streak, result.best_streak) == (0, 2)


def test_a_snoozed_day_missed_freezes_the_streak_and_leaves_the_rate_alone() -> None:
    story = Story()
    story.round(MON, ALICE)
    story.round(TUE, ALICE)
    story.round(WED, BOB)  # Alice snoozed Wednesday and Thursday
    story.round(THU, BOB)
    story.round(FRI, ALICE)
    snoozed = frozen_days(
        [(datetime(2026, 1, 6, 20, 0, tzinfo=UTC), datetime(2026, 1, 9, 0, 0, tzinfo=UTC))],
        "UTC",
    )

    frozen = user_stats(story.activity(), ALICE, NOW, CATEGORIES.get, snoozed)
    awake = stats(story)

    assert (frozen.current_streak, frozen.best_streak) == (3, 3)
    assert frozen.answer_rate_30d == 1.0
    # Tuesday evening, when the snooze began, was answered anyway; Friday is past the snooze
    assert (awake.current_streak, awake.best_streak) == (1, 2)
    assert [snoozed(day) for day in (MON, TUE, WED, THU, FRI)] == [False, True, True, True, False]


def test_a_round_answered_while_snoozed_still_counts() -> None:
    story = Story()
    story.round(MON, ALICE)
    story.round(TUE, ALICE)
    story.round(WED, ALICE)

    result = user_stats(story.activity(), ALICE, NOW, CATEGORIES.get, lambda day: day == TUE)

    assert (result.current_streak, result.best_streak) == (3, 3)


def test_a_round_someone_posted_on_a_holiday_never_breaks_a_streak() -> None:
    """The clock posts nothing on a day off, but `/interview now` can: missing that round
    costs nothing, answering it still counts."""
    story = Story()
    story.round(MON, ALICE)
    story.round(TUE, BOB)  # a holiday in the channel's schedule; Alice took it off
    story.round(WED, ALICE)

    def holiday(day: date) -> bool:
        return day == TUE

    result = user_stats(story.activity(), ALICE, NOW, CATEGORIES.get, holiday)

    assert (result.current_streak, result.best_streak) == (2, 2)
    assert (stats(story).current_streak, stats(story).best_streak) == (1, 1)  # a working day


def test_snoozed_days_follow_the_channels_time_zone() -> None:
    # 23:30 UTC on Monday is already Tuesday in Tokyo
    period = (datetime(2026, 1, 5, 23, 30, tzinfo=UTC), datetime(2026, 1, 6, 12, 0, tzinfo=UTC))

    assert not frozen_days([period], "Asia/Tokyo")(MON)
    assert frozen_days([period], "Asia/Tokyo")(TUE)
    assert frozen_days([period], "UTC")(MON)


def test_the_round_after_a_skipped_day_continues_the_streak() -> None:
    story = Story()
    story.round(MON, ALICE)
    story.round(TUE, status="skipped")  # holiday / bot down: not a counted round
    story.round(WED, status="failed")
    story.round(THU, ALICE)

    result = stats(story)

    assert (result.current_streak, result.best_streak) == (2, 2)


def test_best_streak_is_the_longest_run_ever_and_current_is_the_latest() -> None:
    story = Story()
    for day in (MON, TUE, WED, THU):
        story.round(day, ALICE)
    story.round(FRI, BOB)
    story.round(NEXT_MON, ALICE)
    story.round(NEXT_TUE, ALICE)

    result = stats(story)

    assert (result.current_streak, result.best_streak) == (2, 4)


def test_an_extra_round_the_same_day_never_breaks_a_streak() -> None:
    story = Story()
    story.round(MON, ALICE)
    story.round(TUE, ALICE, sequence=0)
    story.round(TUE, BOB, sequence=1)  # an extra `/interview now` the same day; Alice missed it
    story.round(WED, ALICE)

    result = stats(story)

    assert (result.current_streak, result.best_streak) == (3, 3)
    assert result.rounds_answered == 3


def test_practice_rounds_count_for_points_but_not_for_streaks(
    sessions: sessionmaker[Session],
) -> None:
    story = Story()
    story.round(NEXT_MON, ALICE)
    story.round(NEXT_TUE, BOB)  # Alice missed the daily round...
    story.round(NEXT_TUE, ALICE, CAROL, kind="practice", sequence=1)  # ...and practised instead
    story.round(NEXT_WED, ALICE, kind="practice")  # alone: no points for a solo practice

    result = stats(story)

    assert (result.current_streak, result.best_streak) == (0, 1)
    assert result.rounds_answered == 3
    top = board(sessions, story, "week", NOW)
    assert [(s.user_id, s.points, s.rounds) for s in top][0] == (ALICE, 2, 2)
    assert {(s.user_id, s.points) for s in top[1:]} == {(BOB, 1), (CAROL, 1)}


def test_posting_and_answering_practice_questions_alone_farms_no_points(
    sessions: sessionmaker[Session],
) -> None:
    story = Story()
    for day in (NEXT_MON, NEXT_TUE, NEXT_WED):
        for sequence in (1, 2, 3):
            story.round(day, ALICE, kind="practice", sequence=sequence)
    assert board(sessions, story, "week", NOW) == []


def test_no_rounds_no_streak() -> None:
    result = stats(Story())

    assert (result.current_streak, result.best_streak, result.rounds_answered) == (0, 0, 0)
    assert result.answer_rate_30d is None
    assert result.top_categories == []


# -- votes and points ----------------------------------------------------------------------------


def test_votes_received_from_others_count_and_self_votes_do_not(
    sessions: sessionmaker[Session],
) -> None:
    story = Story()
    first = story.round(NEXT_MON, ALICE, BOB)
    second = story.round(NEXT_TUE, ALICE)
    story.vote(first, ALICE, BOB, CAROL, ALICE)  # Alice's own reaction is not a vote
    story.vote(second, ALICE, BOB)
    story.vote(first, BOB, BOB)

    assert stats(story).votes_received == 3
    assert stats(story, BOB).votes_received == 0
    top = board(sessions, story, "all", NOW)
    assert [(s.user_id, s.points, s.rounds, s.votes) for s in top] == [
        (ALICE, 5, 2, 3),
        (BOB, 1, 1, 0),
    ]


def test_several_answers_in_one_round_count_as_one_round_answered(
    sessions: sessionmaker[Session],
) -> None:
    story = Story()
    round_id = story.round(NEXT_MON, ALICE)
    story.answer(round_id, ALICE, datetime(2026, 1, 12, 11, 0, tzinfo=UTC))

    assert stats(story).rounds_answered == 1
    assert board(sessions, story, "all", NOW)[0].points == 1


def test_equal_points_share_a_rank_listed_by_earliest_answer_then_user_id(
    sessions: sessionmaker[Session],
) -> None:
    story = Story()
    early = story.round(NEXT_MON)
    story.answer(early, CAROL, datetime(2026, 1, 12, 9, 0, tzinfo=UTC))
    story.answer(early, BOB, datetime(2026, 1, 12, 9, 5, tzinfo=UTC))
    # given privately the same second Bob replied (two replies never share a ts)
    story.answer(early, DAVE, datetime(2026, 1, 12, 9, 5, tzinfo=UTC), blind=True)
    story.answer(early, ALICE, datetime(2026, 1, 12, 9, 30, tzinfo=UTC))
    story.round(NEXT_TUE, ALICE)  # Alice leads on points

    top = board(sessions, story, "week", NOW)

    assert [(s.rank, s.user_id, s.points) for s in top] == [
        (1, ALICE, 2),
        (2, CAROL, 1),
        (2, BOB, 1),
        (2, DAVE, 1),
    ]


def test_the_rank_after_a_shared_one_skips_the_places_it_took(
    sessions: sessionmaker[Session],
) -> None:
    story = Story()
    story.round(NEXT_MON, ALICE, BOB, CAROL, DAVE)
    story.round(NEXT_TUE, ALICE, BOB, CAROL)
    story.round(date(2026, 1, 14), ALICE)

    top = board(sessions, story, "week", NOW)

    assert [(s.rank, s.user_id, s.points) for s in top] == [
        (1, ALICE, 3),
        (2, BOB, 2),
        (2, CAROL, 2),
        (4, DAVE, 1),
    ]


def test_leaderboard_tie_break_looks_only_at_answers_in_the_window(
    sessions: sessionmaker[Session],
) -> None:
    story = Story()
    story.round(date(2025, 12, 1), BOB, ALICE)  # long ago Bob answered first
    story.round(NEXT_TUE, ALICE, BOB)  # this week Alice answered first

    week = board(sessions, story, "week", NOW)
    ever = board(sessions, story, "all", NOW)

    assert [s.user_id for s in week] == [ALICE, BOB]
    assert [s.user_id for s in ever] == [BOB, ALICE]


def test_leaderboard_limit_and_unknown_period(sessions: sessionmaker[Session]) -> None:
    story = Story()
    story.round(NEXT_MON, ALICE, BOB, CAROL)

    assert [s.user_id for s in board(sessions, story, "all", NOW, limit=2)] == [ALICE, BOB]
    with pytest.raises(ValueError, match="unknown period"):
        board(sessions, story, "year", NOW)  # type: ignore[arg-type]


def test_ranking_tallies_shares_ranks_and_breaks_ties_by_earliest_answer_then_user_id() -> None:
    tallies = [
        Tally(DAVE, 1, 0, 300.0),
        Tally(BOB, 1, 1, 200.0),
        Tally(CAROL, 2, 0, 100.0),
        Tally(ALICE, 2, 0, 100.0),  # same points and first answer as Carol: by user id
        Tally("U0EVE", 3, 1, 900.0),
    ]

    assert [(s.rank, s.user_id, s.points, s.rounds, s.votes) for s in leaderboard(tallies)] == [
        (1, "U0EVE", 4, 3, 1),
        (2, ALICE, 2, 2, 0),
        (2, CAROL, 2, 2, 0),
        (2, BOB, 2, 1, 1),
        (5, DAVE, 1, 1, 0),
    ]
    assert [s.user_id for s in leaderboard(tallies, limit=2)] == ["U0EVE", ALICE]
    assert leaderboard([]) == []


def test_a_period_is_today_and_the_days_before_it_in_the_channels_time_zone() -> None:
    late = datetime(2026, 1, 14, 23, 30, tzinfo=UTC)  # Thursday 15th, 08:30 in Tokyo

    assert period_days("week", NOW, "UTC") == (date(2026, 1, 8), date(2026, 1, 14))
    assert period_days("week", late, "Asia/Tokyo") == (date(2026, 1, 9), date(2026, 1, 15))
    assert period_days("month", NOW, "UTC") == (date(2025, 12, 16), date(2026, 1, 14))
    assert period_days("all", NOW, "UTC") is None
    with pytest.raises(ValueError, match="unknown period"):
        period_days("year", NOW, "UTC")  # type: ignore[arg-type]


# -- windows and time zones ----------------------------------------------------------------------


def test_local_today_follows_the_channel_time_zone() -> None:
    late = datetime(2026, 1, 14, 23, 30, tzinfo=UTC)

    assert local_today(late, "UTC") == date(2026, 1, 14)
    assert local_today(late, "Asia/Tokyo") == date(2026, 1, 15)  # 08:30 Thursday
    assert local_today(late, "America/Los_Angeles") == date(2026, 1, 14)  # 15:30 Wednesday
    with pytest.raises(ValueError, match="naive"):
        local_today(datetime(2026, 1, 14, 23, 30), "UTC")


@pytest.mark.parametrize(
    ("timezone", "in_week"),
    [
        # At 23:30 UTC it is Thursday 15th in Tokyo: the week is 9th..15th.
        ("Asia/Tokyo", {date(2026, 1, 9), date(2026, 1, 14), date(2026, 1, 15)}),
        # ...and still Wednesday 14th in Los Angeles: the week is 8th..14th.
        ("America/Los_Angeles", {date(2026, 1, 8), date(2026, 1, 9), date(2026, 1, 14)}),
    ],
)
def test_week_window_at_a_time_zone_boundary(
    sessions: sessionmaker[Session], timezone: str, in_week: set[date]
) -> None:
    late = datetime(2026, 1, 14, 23, 30, tzinfo=UTC)
    days = [date(2026, 1, 8), date(2026, 1, 9), date(2026, 1, 14), date(2026, 1, 15)]
    story = Story(timezone)
    users = {}
    for day in days:
        users[day] = f"U{day.day}"
        story.round(day, users[day], status="open" if day == days[-1] else "revealed")

    top = board(sessions, story, "week", late)

    assert {s.user_id for s in top} == {users[day] for day in in_week}
    # Tokyo's local yesterday (14th) is in the week for both channels.
    assert users[date(2026, 1, 14)] in {s.user_id for s in top}


def test_month_window_is_the_last_thirty_local_days(sessions: sessionmaker[Session]) -> None:
    story = Story()
    story.round(date(2025, 12, 16), BOB)  # 30th day back from Jan 14: in
    story.round(date(2025, 12, 15), CAROL)  # 31st: out

    assert [s.user_id for s in board(sessions, story, "month", NOW)] == [BOB]
    assert {s.user_id for s in board(sessions, story, "all", NOW)} == {BOB, CAROL}


def test_answer_rate_counts_day_30_but_not_day_31() -> None:
    today = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
    story = Story()
    story.round(date(2026, 1, 1), BOB)  # day 31 back: outside the window
    story.round(date(2026, 1, 2), ALICE)  # day 30 back: inside
    story.round(date(2026, 1, 20), BOB)
    story.round(date(2026, 1, 31), ALICE)  # today

    result = stats(story, now=today)

    assert result.answer_rate_30d == pytest.approx(2 / 3)


def test_answer_rate_window_uses_the_channel_time_zone() -> None:
    # 23:30 UTC on Jan 31 is Feb 1 in Tokyo: Jan 2 drops out of the window there.
    late = datetime(2026, 1, 31, 23, 30, tzinfo=UTC)
    story = Story("Asia/Tokyo")
    story.round(date(2026, 1, 2), ALICE)
    story.round(date(2026, 1, 20), BOB)

    assert stats(story, now=late).answer_rate_30d == 0.0
    story.timezone = "UTC"
    assert stats(story, now=late).answer_rate_30d == 0.5


def test_answer_rate_counts_daily_rounds_only_and_is_none_without_them() -> None:
    story = Story()
    story.round(NEXT_MON, ALICE, kind="practice")

    assert stats(story).answer_rate_30d is None
    story.round(NEXT_TUE, BOB)
    assert stats(story).answer_rate_30d == 0.0


# -- categories ----------------------------------------------------------------------------------


def test_top_categories_are_the_three_most_practised_ties_by_name() -> None:
    categories = {"q1": "system-design", "q2": "databases", "q3": "behavioral", "q4": "algorithms"}
    story = Story()
    story.round(MON, ALICE, question="q1")
    story.round(TUE, ALICE, question="q1", kind="practice")
    story.round(WED, ALICE, question="q2")
    story.round(THU, ALICE, question="q3")
    story.round(FRI, ALICE, question="q4")
    story.round(NEXT_MON, ALICE, question="gone")  # a removed custom question: no category
    story.round(NEXT_TUE, BOB, question="q4")  # Alice did not answer this one

    result = user_stats(story.activity(), ALICE, NOW, categories.get)

    assert result.top_categories == [("system-design", 2), ("algorithms", 1), ("behavioral", 1)]
    assert result.rounds_answered == 6


# -- what counts, read from the database ----------------------------------------------------------

POSTED = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)
REVEALED = datetime(2026, 1, 12, 15, 0, tzinfo=UTC)


def add_round(
    session: Session,
    *,
    day: date = NEXT_MON,
    sequence: int = 0,
    status: str = "revealed",
    kind: str = "daily",
    posted: bool = True,
    team: str = TEAM,
    channel: str = CHANNEL,
    question: str = "q-sql",
    mode: str = "open",
) -> Round:
    posted_at = datetime.combine(day, time(9, sequence), UTC)
    rnd = Round(
        team_id=team,
        channel_id=channel,
        local_date=day,
        sequence=sequence,
        question_id=question,
        status=status,
        kind=kind,
        mode=mode,
        claimed_at=posted_at,
        message_ts=ts(posted_at) if posted else None,
        posted_at=posted_at if posted else None,
        revealed_at=posted_at + timedelta(hours=6) if status == "revealed" else None,
    )
    session.add(rnd)
    session.flush()
    return rnd


def add_answer(
    session: Session, rnd: Round, user: str, at: datetime, *, deleted: bool = False
) -> str:
    """A reply in the round's thread (for a blind round: the reveal's post of an answer)."""
    session.add(
        Answer(
            round_id=rnd.id,
            team_id=rnd.team_id,
            channel_id=rnd.channel_id,
            ts=ts(at),
            user_id=user,
            text="my answer",
            version=ts(at),
            deleted=deleted,
            received_at=at,
        )
    )
    return ts(at)


def add_vote(
    session: Session,
    message_ts: str,
    voter: str,
    *,
    active: bool = True,
    team: str = TEAM,
    channel: str = CHANNEL,
) -> None:
    session.add(
        Vote(
            team_id=team,
            channel_id=channel,
            message_ts=message_ts,
            voter_id=voter,
            active=active,
            version=message_ts,
            updated_at=POSTED,
        )
    )


def add_blind_answer(session: Session, rnd: Round, user: str, at: datetime) -> None:
    session.add(
        BlindAnswer(
            round_id=rnd.id,
            team_id=rnd.team_id,
            user_id=user,
            text="blind",
            submitted_at=at,
            updated_at=at,
        )
    )


def test_a_persons_activity_and_the_tallies_hold_only_what_counts(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        session.add(
            ChannelSchedule(
                team_id=TEAM,
                channel_id=CHANNEL,
                post_time="09:00",
                timezone="Asia/Tokyo",
                updated_at=POSTED,
            )
        )
        daily = add_round(session)
        practice = add_round(session, sequence=1, kind="practice", status="open")
        # rounds that do not count, with answers that must not show up
        skipped = add_round(session, day=NEXT_TUE, status="skipped", posted=False)
        failed = add_round(session, day=NEXT_WED, status="failed", posted=False)
        claimed = add_round(session, day=NEXT_WED, sequence=1, status="claimed", posted=False)
        other_channel = add_round(session, channel=OTHER_CHANNEL)
        other_team = add_round(session, team=OTHER_TEAM)
        for rnd in (skipped, failed, claimed, other_channel, other_team):
            add_answer(session, rnd, CAROL, POSTED + timedelta(seconds=rnd.id))

        alice = add_answer(session, daily, ALICE, POSTED + timedelta(minutes=5))
        bob_deleted = add_answer(session, daily, BOB, POSTED + timedelta(minutes=6), deleted=True)
        carol_late = add_answer(session, daily, CAROL, REVEALED + timedelta(seconds=1))
        add_answer(session, daily, CAROL, REVEALED)  # exactly at the reveal: too late
        alice_practice = add_answer(session, practice, ALICE, POSTED + timedelta(hours=20))
        # a blind round's answers are the private ones: a reply in its thread is not one
        blind = add_round(session, day=NEXT_WED, sequence=2, status="open", mode="blind")
        add_answer(session, blind, CAROL, POSTED + timedelta(days=2))
        # a blind answer counts, even in a round that was not held blind
        add_blind_answer(session, daily, DAVE, POSTED + timedelta(minutes=1))
        add_blind_answer(session, other_team, DAVE, POSTED)

        add_vote(session, alice, BOB)  # counts
        add_vote(session, alice, CAROL, active=False)  # removed reaction
        add_vote(session, alice, ALICE)  # self-vote
        add_vote(session, alice, DAVE, team=OTHER_TEAM)  # same ts, other workspace
        add_vote(session, alice, DAVE, channel=OTHER_CHANNEL)  # same ts, other channel
        add_vote(session, bob_deleted, ALICE)  # on a deleted answer
        add_vote(session, carol_late, ALICE)  # on an answer after the reveal
        add_vote(session, alice_practice, CAROL)  # counts (the round is still open)
        daily_id, practice_id, blind_id = daily.id, practice.id, blind.id

    with sessions() as session:
        theirs = {user: person_activity(session, TEAM, CHANNEL, user) for user in PEOPLE}
        tallies = leaderboard_tallies(session, TEAM, CHANNEL, None)

    assert {activity.timezone for activity in theirs.values()} == {"Asia/Tokyo"}
    assert theirs[BOB].rounds == [
        RoundRow(daily_id, NEXT_MON, 0, "daily", "revealed", "q-sql"),
        RoundRow(practice_id, NEXT_MON, 1, "practice", "open", "q-sql"),
        RoundRow(blind_id, NEXT_WED, 2, "daily", "open", "q-sql"),
    ]
    assert theirs[ALICE].answers == [AnswerRow(daily_id, ALICE), AnswerRow(practice_id, ALICE)]
    assert sorted(theirs[ALICE].votes, key=lambda v: v.round_id) == [
        VoteRow(daily_id, ALICE, BOB),
        VoteRow(practice_id, ALICE, CAROL),
    ]
    assert theirs[DAVE].answers == [AnswerRow(daily_id, DAVE)]
    for nothing_counts in (BOB, CAROL):
        assert (theirs[nothing_counts].answers, theirs[nothing_counts].votes) == ([], [])
    # Alice's practice round was answered by her alone: no points, nor for the vote on it.
    assert sorted(tallies, key=lambda t: t.user_id) == [
        Tally(ALICE, 1, 1, (POSTED + timedelta(minutes=5)).timestamp()),
        Tally(DAVE, 1, 0, (POSTED + timedelta(minutes=1)).timestamp()),
    ]


def test_without_a_schedule_or_time_zone_the_channel_is_utc(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        session.add(
            ChannelSchedule(
                team_id=TEAM, channel_id=OTHER_CHANNEL, timezone=None, updated_at=POSTED
            )
        )

    with sessions() as session:
        assert person_activity(session, TEAM, CHANNEL, ALICE) == ChannelActivity([], [], [], "UTC")
        assert person_activity(session, TEAM, OTHER_CHANNEL, ALICE).timezone == "UTC"
    assert board(sessions, Story(), "week") == []


def test_stats_from_the_database(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        for day in (THU, FRI, NEXT_MON, NEXT_TUE):
            rnd = add_round(session, day=day)
            at = datetime.combine(day, time(10, 0), UTC)
            if day != FRI:
                add_vote(session, add_answer(session, rnd, ALICE, at), BOB)
            add_answer(session, rnd, BOB, at + timedelta(minutes=1))
        blind = add_round(session, day=NEXT_WED, status="open", question="q-cache")
        add_blind_answer(session, blind, ALICE, datetime(2026, 1, 14, 9, 30, tzinfo=UTC))

    with sessions() as session:
        alice = user_stats(
            person_activity(session, TEAM, CHANNEL, ALICE), ALICE, NOW, CATEGORIES.get
        )
        bob = user_stats(person_activity(session, TEAM, CHANNEL, BOB), BOB, NOW, CATEGORIES.get)

    assert (alice.rounds_answered, alice.current_streak, alice.best_streak) == (4, 3, 3)
    assert alice.votes_received == 3
    assert alice.answer_rate_30d == pytest.approx(4 / 5)
    assert alice.top_categories == [("databases", 3), ("system-design", 1)]
    assert (bob.current_streak, bob.best_streak) == (4, 4)  # today's open round is not over
    standings = progress(sessions).standings(TEAM, CHANNEL, "week", NOW)
    assert [(s.user_id, s.points) for s in standings] == [(ALICE, 7), (BOB, 4)]


def test_what_people_see_when_answers_come_late_get_deleted_or_vote_for_themselves(
    sessions: sessionmaker[Session],
) -> None:
    """One week of a channel, every rule of what counts in it, as `/interview stats` and the
    leaderboard show it (the week is Thursday 8th to today, Wednesday 14th)."""
    with sessions.begin() as session:
        # Wednesday 7th, a day before the week: Bob's round counts all time only.
        add_answer(session, add_round(session, day=WED), BOB, datetime(2026, 1, 7, 10, tzinfo=UTC))
        # Thursday 8th, the week's first day: Dave's round counts this week.
        add_answer(session, add_round(session, day=THU), DAVE, datetime(2026, 1, 8, 10, tzinfo=UTC))

        # Monday: revealed at 15:00. Alice's reply counts; Bob deleted his; Carol's came after
        # the reveal, one of them exactly at it.
        monday = add_round(session, day=NEXT_MON)
        alice = add_answer(session, monday, ALICE, POSTED + timedelta(minutes=5))
        bob_deleted = add_answer(session, monday, BOB, POSTED + timedelta(minutes=6), deleted=True)
        carol_late = add_answer(session, monday, CAROL, REVEALED + timedelta(seconds=1))
        add_answer(session, monday, CAROL, REVEALED)
        add_vote(session, alice, BOB)  # the one vote that counts
        add_vote(session, alice, CAROL, active=False)  # Carol took her reaction back
        add_vote(session, alice, ALICE)  # Alice's reaction on her own answer
        add_vote(session, bob_deleted, ALICE)  # on a deleted answer
        add_vote(session, carol_late, ALICE)  # on an answer after the reveal

        # Tuesday: a blind round. Carol and Dave answered privately; the reveal posted their
        # answers in the thread (after the reveal, as it does), and the votes went on those.
        tuesday = add_round(session, day=NEXT_TUE, mode="blind")
        tuesday_reveal = datetime(2026, 1, 13, 15, 0, tzinfo=UTC)
        add_blind_answer(session, tuesday, CAROL, datetime(2026, 1, 13, 10, 0, tzinfo=UTC))
        add_blind_answer(session, tuesday, DAVE, datetime(2026, 1, 13, 10, 30, tzinfo=UTC))
        carol_posted = add_answer(session, tuesday, CAROL, tuesday_reveal + timedelta(seconds=5))
        dave_posted = add_answer(session, tuesday, DAVE, tuesday_reveal + timedelta(seconds=6))
        add_vote(session, carol_posted, BOB)
        add_vote(session, dave_posted, ALICE)

        # Tuesday, a practice question Bob answered alone (Alice's reply is deleted).
        practice = add_round(session, day=NEXT_TUE, sequence=1, kind="practice", status="open")
        add_answer(session, practice, BOB, datetime(2026, 1, 13, 11, 0, tzinfo=UTC))
        add_answer(session, practice, ALICE, datetime(2026, 1, 13, 11, 5, tzinfo=UTC), deleted=True)

    service = progress(sessions)
    week = service.leaderboard_text(TEAM, CHANNEL, "week", NOW)
    ever = service.leaderboard_text(TEAM, CHANNEL, "all", NOW)

    # Dave: Thursday and Tuesday, and a vote. Alice and Carol tie on 2; Alice answered first.
    assert week.splitlines()[1:] == [
        f":first_place_medal: <@{DAVE}> — *3* (2 rounds, 1 vote)",
        f":second_place_medal: <@{ALICE}> — *2* (1 round, 1 vote)",
        f":second_place_medal: <@{CAROL}> — *2* (1 round, 1 vote)",
    ]
    assert ever.splitlines()[1:] == [
        *week.splitlines()[1:],
        f"4. <@{BOB}> — *1* (1 round, 0 votes)",
    ]
    alice_stats = service.stats_text(TEAM, CHANNEL, ALICE, NOW)
    assert "Rounds answered: *1*" in alice_stats
    assert "Votes received: *1*" in alice_stats
    assert "Streak: *0* (best 1)" in alice_stats
    assert "Answer rate, last 30 days: *25%*" in alice_stats  # 1 of the 4 days' rounds
    # Bob's practice round counts for his stats, not for points; his deleted reply not at all.
    bob_stats = service.stats_text(TEAM, CHANNEL, BOB, NOW)
    assert "Rounds answered: *2*" in bob_stats
    assert "Votes received: *0*" in bob_stats
    carol_stats = service.stats_text(TEAM, CHANNEL, CAROL, NOW)
    assert "Rounds answered: *1*" in carol_stats
    assert "Votes received: *1*" in carol_stats
    assert "Streak: *1* (best 1)" in carol_stats


def test_a_reply_a_microsecond_before_the_reveal_counts_and_one_at_the_reveal_does_not(
    sessions: sessionmaker[Session],
) -> None:
    revealed = REVEALED + timedelta(microseconds=123457)
    with sessions.begin() as session:
        rnd = add_round(session)
        rnd.revealed_at = revealed
        add_answer(session, rnd, ALICE, revealed - timedelta(microseconds=1))
        add_answer(session, rnd, BOB, revealed)
        add_blind_answer(session, rnd, CAROL, revealed + timedelta(microseconds=1))

    standings = progress(sessions).standings(TEAM, CHANNEL, "all", NOW)

    # Carol's private answer counts whenever it came; Alice answered before her.
    assert [(s.rank, s.user_id) for s in standings] == [(1, ALICE), (1, CAROL)]
