"""The clock against a fake Slack, on SQLite and PostgreSQL, with time passed in explicitly.

Every test drives `Clock.tick(now)` the way the background scheduler does (once a minute) and
checks what a channel would see: the messages that reached the fake Slack, and the rounds
recorded in the database."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.channels.service import ChannelService, next_post
from bot.clock import POST_GRACE, Clock, TickReport
from bot.rounds.service import RoundService, Started
from bot.sandbox.fake_slack import FakeSlack
from storage.db import make_engine, make_session_factory
from storage.rounds import Round
from tests.helpers import (
    ADMIN,
    BANK,
    BERLIN,
    NEW_YORK,
    ONE_MINUTE,
    TEAM,
    Sessions,
    Sweep,
    berlin,
    make_clock,
    replies_in,
    subscribe,
    sweep,
    top_level,
    utc,
)

TOKYO = ZoneInfo("Asia/Tokyo")


# -- helpers -----------------------------------------------------------------------------------


@pytest.fixture
def second_process(database_url: str) -> Iterator[Callable[[FakeSlack], Clock]]:
    """Builds a Clock as another process (or a restarted bot) would: its own engine, session
    factory, RoundService and Slack client, on the same database."""
    engines = []

    def build(fake: FakeSlack) -> Clock:
        engine = make_engine(database_url)
        engines.append(engine)
        return make_clock(make_session_factory(engine), fake)

    yield build
    for engine in engines:
        engine.dispose()


def rounds_in(sessions: Sessions, channel: str) -> list[Round]:
    with sessions.begin() as session:
        query = select(Round).where(Round.team_id == TEAM, Round.channel_id == channel)
        return list(session.scalars(query.order_by(Round.local_date, Round.id)))


def dates_posted(sessions: Sessions, channel: str) -> list[date]:
    return [r.local_date for r in rounds_in(sessions, channel) if r.message_ts]


def post_calls(fake: FakeSlack, channel: str) -> list[Any]:
    """Every chat.postMessage the bot tried for a question (not a thread reply) in `channel`."""
    return [
        call
        for call in fake.calls("chat.postMessage")
        if call.args.get("channel") == channel and not call.args.get("thread_ts")
    ]


def weekdays_from(first: date, count: int) -> list[date]:
    days: list[date] = []
    day = first
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


# -- one channel, one day ----------------------------------------------------------------------


def test_posts_once_at_the_local_post_time_and_reveals_in_the_thread_at_the_reveal_time(
    sessions: Sessions, fake: FakeSlack
) -> None:
    subscribe(
        sessions, fake, "C1", "09:30 Europe/Berlin weekdays reveal 16:00", berlin(2026, 1, 12, 8)
    )
    clock = make_clock(sessions, fake)

    assert clock.tick(berlin(2026, 1, 12, 9, 29)) == TickReport()
    assert fake.messages("C1") == []

    assert clock.tick(berlin(2026, 1, 12, 9, 30)) == TickReport(posted=["C1"])
    [question] = top_level(fake, "C1")
    [rnd] = rounds_in(sessions, "C1")
    asked = BANK.get(rnd.question_id)
    assert asked is not None and asked.question in question["text"]
    assert (rnd.status, rnd.message_ts, rnd.local_date) == (
        "open",
        question["ts"],
        date(2026, 1, 12),
    )
    assert rnd.posted_at == berlin(2026, 1, 12, 9, 30)
    assert rnd.reveal_at == berlin(2026, 1, 12, 16, 0)
    # The question tells readers when the answer comes, in their own time zone.
    reveal_epoch = int(berlin(2026, 1, 12, 16, 0).timestamp())
    assert f"<!date^{reveal_epoch}^{{time}}|16:00 Europe/Berlin>" in str(question["blocks"])

    # Nothing more all day until the reveal time.
    quiet = sweep(clock, berlin(2026, 1, 12, 9, 31), berlin(2026, 1, 12, 16, 0))
    assert quiet == Sweep({}, [], {})
    assert len(fake.messages("C1")) == 1
    assert fake.calls("chat.update") == []

    assert clock.tick(berlin(2026, 1, 12, 16, 0)) == TickReport(revealed=[rnd.id])
    [reveal] = replies_in(fake, "C1")
    assert reveal["thread_ts"] == question["ts"]
    assert asked.sample_answer in reveal["text"]
    assert "Nobody answered this time" in str(reveal["blocks"])
    [update] = fake.calls("chat.update")
    assert (update.args["channel"], update.args["ts"]) == ("C1", question["ts"])
    closed = fake.find_message("C1", question["ts"])
    assert closed is not None and "(closed)" in closed["text"]

    [rnd] = rounds_in(sessions, "C1")
    assert (rnd.status, rnd.reveal_ts) == ("revealed", reveal["ts"])
    assert rnd.revealed_at == berlin(2026, 1, 12, 16, 0)

    # And nothing more for the rest of the day.
    assert sweep(
        clock, berlin(2026, 1, 12, 16, 1), berlin(2026, 1, 13, 0, 0), step=timedelta(minutes=7)
    ) == Sweep({}, [], {})
    assert len(fake.messages("C1")) == 2


@pytest.mark.parametrize(
    ("day", "tokyo_utc", "new_york_utc"),
    [
        # Winter: Tokyo is UTC+9, New York UTC-5.
        (date(2026, 1, 14), utc(2026, 1, 14, 0, 0), utc(2026, 1, 14, 14, 0)),
        # Summer: New York on daylight time (UTC-4); Tokyo has none.
        (date(2026, 7, 15), utc(2026, 7, 15, 0, 0), utc(2026, 7, 15, 13, 0)),
    ],
)
def test_channels_in_different_zones_post_at_their_own_local_time(
    sessions: Sessions, fake: FakeSlack, day: date, tokyo_utc: datetime, new_york_utc: datetime
) -> None:
    # Subscribed the afternoon before in UTC: after both channels' posts of the day before.
    subscribed = datetime.combine(day - timedelta(days=1), time(15), UTC)
    subscribe(sessions, fake, "CTOKYO", "09:00 Asia/Tokyo weekdays", subscribed)
    subscribe(sessions, fake, "CNYC", "09:00 America/New_York weekdays", subscribed)
    clock = make_clock(sessions, fake)

    result = sweep(clock, subscribed, datetime.combine(day + timedelta(days=1), time(0), UTC))

    assert result.posted == {"CTOKYO": [tokyo_utc], "CNYC": [new_york_utc]}
    assert tokyo_utc.astimezone(TOKYO).hour == new_york_utc.astimezone(NEW_YORK).hour == 9
    assert dates_posted(sessions, "CTOKYO") == dates_posted(sessions, "CNYC") == [day]
    assert len(top_level(fake, "CTOKYO")) == len(top_level(fake, "CNYC")) == 1


# -- DST ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        # Spring forward: 02:00-03:00 does not exist; a 02:30 post moves to 03:30 CEST.
        (
            date(2026, 3, 29),
            {"CNIGHT": [utc(2026, 3, 29, 1, 30)], "CMORNING": [utc(2026, 3, 29, 7, 0)]},
        ),
        # Fall back: 02:00-03:00 happens twice; a 02:30 post happens at the first one only.
        (
            date(2026, 10, 25),
            {"CNIGHT": [utc(2026, 10, 25, 0, 30)], "CMORNING": [utc(2026, 10, 25, 8, 0)]},
        ),
    ],
    ids=["spring-forward", "fall-back"],
)
def test_one_post_per_local_date_on_a_dst_change_day(
    sessions: Sessions, fake: FakeSlack, day: date, expected: dict[str, list[datetime]]
) -> None:
    subscribed = datetime.combine(day - timedelta(days=1), time(12), BERLIN).astimezone(UTC)
    night = subscribe(sessions, fake, "CNIGHT", "02:30 Europe/Berlin daily", subscribed)
    morning = subscribe(sessions, fake, "CMORNING", "09:00 Europe/Berlin daily", subscribed)
    # What `/interview schedule` told the admin agrees with what the clock does.
    assert next_post(night, subscribed) == expected["CNIGHT"][0]
    assert next_post(morning, subscribed) == expected["CMORNING"][0]
    clock = make_clock(sessions, fake)

    # Every minute of the local day (23 or 25 hours of UTC), and an hour either side.
    start = datetime.combine(day, time(0), BERLIN).astimezone(UTC) - timedelta(hours=1)
    end = datetime.combine(day + timedelta(days=1), time(0), BERLIN).astimezone(UTC)
    assert (end - start) in (timedelta(hours=24), timedelta(hours=26))
    result = sweep(clock, start, end + timedelta(hours=1))

    assert result.posted == expected
    for channel in expected:
        assert dates_posted(sessions, channel) == [day]
        assert len(top_level(fake, channel)) == 1
        assert len(post_calls(fake, channel)) == 1
    # Each round is revealed once, 6 hours (the default window) after its post.
    reveals = sorted(at for _, at in result.revealed)
    assert reveals == sorted(at + timedelta(hours=6) for [at] in expected.values())
    assert result.skipped == {}


# -- weekends and holidays ---------------------------------------------------------------------


def test_weekends_and_public_holidays(sessions: Sessions, fake: FakeSlack) -> None:
    sunday = berlin(2026, 1, 4, 12)
    subscribe(sessions, fake, "CWEEKDAYS", "09:30 Europe/Berlin weekdays", sunday)
    subscribe(sessions, fake, "CDAILY", "09:30 Europe/Berlin daily", sunday)
    bavaria = subscribe(
        sessions, fake, "CBAVARIA", "09:30 Europe/Berlin weekdays holidays DE-BY", sunday
    )
    subscribe(sessions, fake, "CBAVARIADAILY", "09:30 Europe/Berlin daily holidays DE-BY", sunday)
    clock = make_clock(sessions, fake)

    # Mon 2026-01-05 to Sun 2026-01-11; Tue 2026-01-06 is Epiphany, a holiday in Bavaria.
    result = sweep(clock, sunday, berlin(2026, 1, 12, 0), step=timedelta(minutes=15))

    week = [date(2026, 1, d) for d in range(5, 12)]
    mon, tue, wed, thu, fri, sat, sun = week
    assert dates_posted(sessions, "CWEEKDAYS") == [mon, tue, wed, thu, fri]
    assert dates_posted(sessions, "CDAILY") == week
    assert dates_posted(sessions, "CBAVARIA") == [mon, wed, thu, fri]
    assert dates_posted(sessions, "CBAVARIADAILY") == [mon, wed, thu, fri, sat, sun]
    # Days off are simply not practice days: nothing posted, nothing recorded as skipped.
    assert result.skipped == {}
    assert len(top_level(fake, "CBAVARIA")) == 4
    assert result.posted["CBAVARIA"][:2] == [berlin(2026, 1, 5, 9, 30), berlin(2026, 1, 7, 9, 30)]
    assert next_post(bavaria, berlin(2026, 1, 5, 10)) == berlin(2026, 1, 7, 9, 30)


def test_christmas_is_skipped_with_bavarian_holidays(sessions: Sessions, fake: FakeSlack) -> None:
    subscribe(
        sessions,
        fake,
        "C1",
        "09:30 Europe/Berlin weekdays holidays DE-BY",
        berlin(2026, 12, 23, 12),
    )
    clock = make_clock(sessions, fake)
    sweep(clock, berlin(2026, 12, 23, 12), berlin(2026, 12, 29, 0), step=timedelta(minutes=30))
    # Thu 24 (not a public holiday), not Fri 25 (Christmas), nor the weekend; Mon 28.
    assert dates_posted(sessions, "C1") == [date(2026, 12, 24), date(2026, 12, 28)]


# -- restarts ----------------------------------------------------------------------------------


def test_after_a_restart_past_the_reveal_time_the_first_tick_reveals_and_skips_the_missed_post(
    sessions: Sessions,
    fake: FakeSlack,
    second_process: Callable[[FakeSlack], Clock],
    caplog: pytest.LogCaptureFixture,
) -> None:
    subscribe(
        sessions, fake, "C1", "09:30 Europe/Berlin weekdays reveal 16:00", berlin(2026, 1, 12, 8)
    )
    before = make_clock(sessions, fake)
    sweep(before, berlin(2026, 1, 12, 9, 0), berlin(2026, 1, 12, 9, 45))
    [monday] = rounds_in(sessions, "C1")
    [question] = top_level(fake, "C1")
    # The bot is down from Monday 09:45 until Tuesday 11:00: it misses Monday's reveal at
    # 16:00, and Tuesday's 09:30 post by 90 minutes (more than the grace period).
    restarted_at = berlin(2026, 1, 13, 11, 0)
    assert restarted_at - berlin(2026, 1, 13, 9, 30) > POST_GRACE
    after = second_process(fake)

    with caplog.at_level(logging.WARNING, logger="bot.clock"):
        report = after.tick(restarted_at)

    assert report == TickReport(revealed=[monday.id], skipped=["C1"])
    [reveal] = replies_in(fake, "C1")
    assert reveal["thread_ts"] == question["ts"]
    assert len(top_level(fake, "C1")) == 1  # Tuesday's question was not posted late
    monday, tuesday = rounds_in(sessions, "C1")
    assert (monday.status, monday.revealed_at) == ("revealed", restarted_at)
    assert (tuesday.local_date, tuesday.status, tuesday.message_ts) == (
        date(2026, 1, 13),
        "skipped",
        None,
    )
    [warning] = [r for r in caplog.records if r.name == "bot.clock"]
    assert warning.levelno == logging.WARNING
    assert "skipped" in warning.getMessage()
    assert (warning.channel, warning.date) == ("C1", "2026-01-13")  # type: ignore[attr-defined]

    # The rest of Tuesday is quiet; Wednesday posts as usual.
    result = sweep(
        after, restarted_at + 5 * ONE_MINUTE, berlin(2026, 1, 14, 12), step=timedelta(minutes=5)
    )
    assert result.posted == {"C1": [berlin(2026, 1, 14, 9, 30)]}
    assert result.skipped == {}
    assert dates_posted(sessions, "C1") == [date(2026, 1, 12), date(2026, 1, 14)]


@pytest.mark.parametrize(
    ("restart", "posted"),
    [((10, 15), True), ((10, 30), True), ((10, 31), False)],
    ids=["45m-late", "60m-late", "61m-late"],
)
def test_a_post_missed_within_the_grace_period_is_posted_late(
    sessions: Sessions,
    fake: FakeSlack,
    second_process: Callable[[FakeSlack], Clock],
    restart: tuple[int, int],
    posted: bool,
) -> None:
    subscribe(
        sessions, fake, "C1", "09:30 Europe/Berlin weekdays reveal 16:00", berlin(2026, 1, 12, 8)
    )
    # Up until 09:00, then down over the 09:30 post time.
    sweep(make_clock(sessions, fake), berlin(2026, 1, 12, 8), berlin(2026, 1, 12, 9))
    restarted_at = berlin(2026, 1, 12, *restart)

    report = second_process(fake).tick(restarted_at)

    [rnd] = rounds_in(sessions, "C1")
    if posted:
        assert report == TickReport(posted=["C1"])
        assert len(top_level(fake, "C1")) == 1
        assert (rnd.status, rnd.posted_at, rnd.reveal_at) == (
            "open",
            restarted_at,
            berlin(2026, 1, 12, 16),
        )
    else:
        assert report == TickReport(skipped=["C1"])
        assert fake.messages("C1") == []
        assert rnd.status == "skipped"


def test_a_late_evening_post_is_still_due_just_after_midnight(
    sessions: Sessions, fake: FakeSlack, second_process: Callable[[FakeSlack], Clock]
) -> None:
    subscribe(sessions, fake, "C1", "23:50 Europe/Berlin daily", berlin(2026, 1, 12, 8))
    # Down from 23:00 until 00:10 the next day.
    report = second_process(fake).tick(berlin(2026, 1, 13, 0, 10))
    assert report == TickReport(posted=["C1"])
    assert dates_posted(sessions, "C1") == [date(2026, 1, 12)]


# -- pause -------------------------------------------------------------------------------------


def test_a_paused_channel_posts_nothing_and_resumes_the_next_day(
    sessions: Sessions, fake: FakeSlack
) -> None:
    subscribe(
        sessions, fake, "C1", "09:30 Europe/Berlin weekdays reveal 16:00", berlin(2026, 1, 12, 8)
    )
    channels = ChannelService(sessions)
    clock = make_clock(sessions, fake)
    assert channels.set_paused(TEAM, "C1", True, ADMIN, berlin(2026, 1, 12, 9))

    paused = sweep(
        clock, berlin(2026, 1, 12, 9), berlin(2026, 1, 14, 12), step=timedelta(minutes=5)
    )
    assert paused == Sweep({}, [], {})
    assert fake.messages("C1") == []
    assert rounds_in(sessions, "C1") == []

    # Resumed on Wednesday at noon, after that day's post time: the next post is Thursday.
    assert channels.set_paused(TEAM, "C1", False, ADMIN, berlin(2026, 1, 14, 12))
    resumed = sweep(
        clock, berlin(2026, 1, 14, 12), berlin(2026, 1, 16, 0), step=timedelta(minutes=5)
    )
    assert resumed.posted == {"C1": [berlin(2026, 1, 15, 9, 30)]}
    assert resumed.skipped == {}
    assert dates_posted(sessions, "C1") == [date(2026, 1, 15)]


# -- two clocks at once ------------------------------------------------------------------------


def race(clocks: list[Clock], now: datetime) -> list[TickReport]:
    """Both clocks tick at the same instant from their own threads, released together."""
    barrier = threading.Barrier(len(clocks))
    reports: list[TickReport | None] = [None] * len(clocks)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            reports[index] = clocks[index].tick(now)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clocks))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return [r for r in reports if r is not None]


def test_two_clocks_racing_post_and_reveal_each_round_once(
    sessions: Sessions, fake: FakeSlack, second_process: Callable[[FakeSlack], Clock]
) -> None:
    # Several channels due at the same minute, so the two clocks really collide on claims
    # (with one channel the first clock has usually committed before the other looks).
    channels = ["C1", "C2", "C3", "C4"]
    for channel in channels:
        subscribe(
            sessions,
            fake,
            channel,
            "09:30 Europe/Berlin weekdays reveal 16:00",
            berlin(2026, 2, 1, 12),
        )
    clocks = [second_process(fake), second_process(fake)]

    for n, day in enumerate(weekdays_from(date(2026, 2, 2), 10), start=1):
        reports = race(clocks, berlin(day.year, day.month, day.day, 9, 30))
        assert sorted(c for r in reports for c in r.posted) == channels, day
        for channel in channels:
            assert len(post_calls(fake, channel)) == n
            assert len(top_level(fake, channel)) == n
            assert [r.local_date for r in rounds_in(sessions, channel)].count(day) == 1

        reports = race(clocks, berlin(day.year, day.month, day.day, 16, 0))
        assert sum(len(r.revealed) for r in reports) == len(channels), day
        for channel in channels:
            assert len(replies_in(fake, channel)) == n
        assert len(fake.calls("chat.update")) == n * len(channels)

    for channel in channels:
        rounds = rounds_in(sessions, channel)
        assert len(rounds) == 10
        assert {r.status for r in rounds} == {"revealed"}
        questions = top_level(fake, channel)
        assert [r.message_ts for r in rounds] == [q["ts"] for q in questions]
        assert [r["thread_ts"] for r in replies_in(fake, channel)] == [q["ts"] for q in questions]


# -- Slack refusing the post -------------------------------------------------------------------


def test_a_channel_the_bot_is_not_in_fails_once_then_pauses_until_an_admin_resumes(
    sessions: Sessions, fake: FakeSlack
) -> None:
    subscribe(
        sessions,
        fake,
        "C1",
        "09:30 Europe/Berlin weekdays",
        berlin(2026, 1, 12, 8),
        bot_is_member=False,
    )
    clock = make_clock(sessions, fake)

    result = sweep(clock, berlin(2026, 1, 12, 9), berlin(2026, 1, 13, 0))

    assert result == Sweep({}, [], {})
    assert fake.messages("C1") == []
    [attempt] = post_calls(fake, "C1")
    assert attempt.response == {"ok": False, "error": "not_in_channel"}
    [rnd] = rounds_in(sessions, "C1")
    assert (rnd.status, rnd.error, rnd.message_ts) == ("failed", "not_in_channel", None)

    # The bot paused the channel and says why, instead of failing again every day...
    assert ChannelService(sessions).pause_reasons(TEAM) == {"C1": "not_in_channel"}
    fake.add_channel("C1", "c1", bot_is_member=True)
    result = sweep(clock, berlin(2026, 1, 13, 0), berlin(2026, 1, 14, 0), step=timedelta(minutes=5))
    assert result.posted == {}
    # ...so once someone invites it and an admin resumes, the next day's question arrives.
    ChannelService(sessions).set_paused(TEAM, "C1", False, ADMIN, berlin(2026, 1, 14, 0))
    result = sweep(clock, berlin(2026, 1, 14, 0), berlin(2026, 1, 15, 0), step=timedelta(minutes=5))
    assert result.posted == {"C1": [berlin(2026, 1, 14, 9, 30)]}
    assert len(top_level(fake, "C1")) == 1
    assert [r.status for r in rounds_in(sessions, "C1")] == ["failed", "revealed"]


# -- the question bank -------------------------------------------------------------------------


def test_no_question_repeats_in_a_channel_until_the_bank_is_used_up(
    sessions: Sessions, fake: FakeSlack
) -> None:
    subscribe(
        sessions, fake, "C1", "09:30 Europe/Berlin weekdays reveal 16:00", berlin(2026, 2, 1, 12)
    )
    subscribe(
        sessions, fake, "C2", "09:30 Europe/Berlin weekdays reveal 16:00", berlin(2026, 2, 1, 12)
    )
    clock = make_clock(sessions, fake)
    days = weekdays_from(date(2026, 2, 2), len(BANK) + 1)

    for day in days:
        assert clock.tick(berlin(day.year, day.month, day.day, 9, 30)).posted == ["C1", "C2"]
        assert len(clock.tick(berlin(day.year, day.month, day.day, 16, 0)).revealed) == 2

    bank_ids = {q.id for q in BANK.questions}
    for channel in ("C1", "C2"):
        asked = [r.question_id for r in rounds_in(sessions, channel)]
        first_cycle = asked[: len(BANK)]
        assert len(set(first_cycle)) == len(BANK)
        assert set(first_cycle) == bank_ids
        assert asked[-1] in bank_ids  # the next cycle starts
        texts = [q["text"] for q in top_level(fake, channel)]
        for question_id, text in zip(asked, texts, strict=True):
            question = BANK.get(question_id)
            assert question is not None and question.question in text


def test_a_channel_limited_to_categories_cycles_through_just_those(
    sessions: Sessions, fake: FakeSlack
) -> None:
    chosen = ("databases", "security")
    pool = {q.id for q in BANK.questions if q.category in chosen}
    assert len(pool) == 3
    subscribe(
        sessions,
        fake,
        "C1",
        "09:30 Europe/Berlin daily reveal 16:00 categories databases,security",
        berlin(2026, 2, 1, 8),
    )
    clock = make_clock(sessions, fake)

    sweep(clock, berlin(2026, 2, 1, 9), berlin(2026, 2, 7, 0), step=timedelta(minutes=30))

    asked = [r.question_id for r in rounds_in(sessions, "C1")]
    assert len(asked) == 6
    assert set(asked[:3]) == set(asked[3:]) == pool


# -- Slack failing the reveal -------------------------------------------------------------------


def post_monday_question(sessions: Sessions, fake: FakeSlack) -> Clock:
    """C1 gets its question on Monday 2026-01-12 at 09:30, to be revealed at 16:00."""
    subscribe(
        sessions, fake, "C1", "09:30 Europe/Berlin weekdays reveal 16:00", berlin(2026, 1, 12, 8)
    )
    clock = make_clock(sessions, fake)
    assert clock.tick(berlin(2026, 1, 12, 9, 30)).posted == ["C1"]
    return clock


def test_a_reveal_that_slack_refuses_once_is_posted_the_next_minute(
    sessions: Sessions, fake: FakeSlack
) -> None:
    clock = post_monday_question(sessions, fake)
    fake.fail_next("chat.postMessage", "internal_error")

    result = sweep(clock, berlin(2026, 1, 12, 16, 0), berlin(2026, 1, 12, 16, 10))

    [rnd] = rounds_in(sessions, "C1")
    assert result.revealed == [(rnd.id, berlin(2026, 1, 12, 16, 1))]
    [question] = top_level(fake, "C1")
    [reveal] = replies_in(fake, "C1")
    assert reveal["thread_ts"] == question["ts"]
    assert (rnd.status, rnd.reveal_ts, rnd.revealed_at) == (
        "revealed",
        reveal["ts"],
        berlin(2026, 1, 12, 16, 1),
    )


def test_a_failed_question_update_does_not_post_the_reveal_twice(
    sessions: Sessions, fake: FakeSlack
) -> None:
    clock = post_monday_question(sessions, fake)
    fake.fail_next("chat.update", "internal_error")

    sweep(clock, berlin(2026, 1, 12, 16, 0), berlin(2026, 1, 12, 16, 10))

    assert len(replies_in(fake, "C1")) == 1
    [rnd] = rounds_in(sessions, "C1")
    assert rnd.status == "revealed"


def test_a_reveal_in_a_channel_the_bot_was_removed_from_is_not_retried_every_minute(
    sessions: Sessions, fake: FakeSlack
) -> None:
    clock = post_monday_question(sessions, fake)
    fake.add_channel("C1", "c1", bot_is_member=False)  # someone removed the bot at lunch

    sweep(clock, berlin(2026, 1, 12, 16, 0), berlin(2026, 1, 12, 18, 0))

    reveal_attempts = [c for c in fake.calls("chat.postMessage") if c.args.get("thread_ts")]
    assert [c.response for c in reveal_attempts] == [{"ok": False, "error": "not_in_channel"}]
    [rnd] = rounds_in(sessions, "C1")
    # answered, so it still counts; `status` shows why the reveal is missing
    assert (rnd.status, rnd.error) == ("reveal_failed", "not_in_channel")


# -- product bugs ------------------------------------------------------------------------------


class ProcessKilled(BaseException):
    """The process dies (SIGKILL, OOM, a deploy) in the middle of a tick."""


class DyingClient:
    """A Slack client whose process is killed while the question is being posted."""

    def chat_postMessage(self, **_kwargs: Any) -> None:  # noqa: N802 (slack_sdk's name)
        raise ProcessKilled


def test_a_crash_between_claim_and_post_does_not_wedge_the_channel(
    sessions: Sessions, fake: FakeSlack, second_process: Callable[[FakeSlack], Clock]
) -> None:
    subscribe(
        sessions, fake, "C1", "09:30 Europe/Berlin weekdays reveal 16:00", berlin(2026, 1, 12, 8)
    )
    dying = RoundService(sessions, BANK, lambda _team: DyingClient())  # type: ignore[arg-type,return-value]
    with pytest.raises(ProcessKilled):
        Clock(sessions, dying).tick(berlin(2026, 1, 12, 9, 30))

    # Restarted five minutes later; the clock runs through Tuesday's reveal.
    after = second_process(fake)
    sweep(after, berlin(2026, 1, 12, 9, 35), berlin(2026, 1, 13, 16, 5), step=timedelta(minutes=5))

    # Every question the channel saw has been revealed in its thread: nothing is open...
    questions = top_level(fake, "C1")
    assert questions, "Tuesday's question was posted"
    assert {r["thread_ts"] for r in replies_in(fake, "C1")} == {q["ts"] for q in questions}
    # ... the interrupted claim is recorded as failed, not retried (at most once) ...
    with sessions.begin() as session:
        statuses = {r.local_date.day: r.status for r in session.scalars(select(Round))}
    assert statuses[12] == "failed"
    # ... so `/interview now` must start a round instead of "A round is already open".
    outcome = after.rounds.start_now(TEAM, "C1", berlin(2026, 1, 13, 17, 0))
    assert isinstance(outcome, Started), outcome
    assert len(top_level(fake, "C1")) == len(questions) + 1
