"""Faults around posting and revealing rounds: nothing doubled, nothing lost, one channel's
trouble never stops the others.

Posts that create something are never retried blindly. After an ambiguous failure (a dropped
connection, a 5xx) the bot looks for its marker in Slack before posting again, and marks the
round with what really happened."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.channels.service import ChannelService
from bot.clock import Clock
from bot.rounds.reveal import RevealFailed
from bot.rounds.service import RoundService
from bot.sandbox.fake_slack import FakeSlack
from storage.channels import ChannelSchedule
from storage.rounds import Round
from tests.helpers import (
    BANK,
    TEAM,
    Sessions,
    berlin,
    client_for,
    make_clock,
    subscribe,
    sweep,
    top_level,
)

SCHEDULE = "09:30 Europe/Berlin weekdays reveal 16:00"


def rounds(sessions: Sessions, channel: str = "C1") -> list[Round]:
    with sessions.begin() as session:
        query = select(Round).where(Round.team_id == TEAM, Round.channel_id == channel)
        return list(session.scalars(query.order_by(Round.id)))


def reveals(fake: FakeSlack, channel: str = "C1") -> list[dict[str, object]]:
    return [m for m in fake.messages(channel) if m["thread_ts"] and "The reveal" in m["text"]]


def monday_question(sessions: Sessions, fake: FakeSlack) -> None:
    subscribe(sessions, fake, "C1", SCHEDULE, berlin(2026, 1, 12, 8))


def test_a_connection_dropped_after_slack_accepted_the_question_posts_it_once(
    sessions: Sessions, fake: FakeSlack
) -> None:
    monday_question(sessions, fake)
    fake.drop_next("chat.postMessage")
    sweep(make_clock(sessions, fake), berlin(2026, 1, 12, 9, 30), berlin(2026, 1, 12, 10, 30))

    [question] = top_level(fake, "C1")
    [rnd] = rounds(sessions)
    assert (rnd.status, rnd.message_ts) == ("open", question["ts"])  # answers will count


def test_a_500_before_the_question_landed_is_posted_once_on_the_next_tick(
    sessions: Sessions, fake: FakeSlack
) -> None:
    monday_question(sessions, fake)
    fake.fail_next("chat.postMessage", "internal_error", status=500)
    clock = make_clock(sessions, fake)
    assert clock.tick(berlin(2026, 1, 12, 9, 30)).posted == []
    assert clock.tick(berlin(2026, 1, 12, 9, 31)).posted == ["C1"]
    sweep(clock, berlin(2026, 1, 12, 9, 32), berlin(2026, 1, 12, 10, 0))
    assert len(top_level(fake, "C1")) == 1


def test_a_reveal_whose_answer_was_lost_goes_out_once_however_often_the_clock_ticks(
    sessions: Sessions, fake: FakeSlack
) -> None:
    monday_question(sessions, fake)
    clock = make_clock(sessions, fake)
    clock.tick(berlin(2026, 1, 12, 9, 30))
    fake.drop_next("chat.postMessage")  # the reveal lands, its answer doesn't
    sweep(clock, berlin(2026, 1, 12, 16, 0), berlin(2026, 1, 12, 16, 10))

    assert len(reveals(fake)) == 1
    [rnd] = rounds(sessions)
    assert rnd.status == "revealed" and rnd.reveal_ts == reveals(fake)[0]["ts"]


def test_a_reveal_refused_by_an_outage_is_retried_until_it_lands_once(
    sessions: Sessions, fake: FakeSlack
) -> None:
    monday_question(sessions, fake)
    clock = make_clock(sessions, fake)
    clock.tick(berlin(2026, 1, 12, 9, 30))
    fake.fail_next("chat.postMessage", "service_unavailable", status=503, times=3)
    result = sweep(clock, berlin(2026, 1, 12, 16, 0), berlin(2026, 1, 12, 16, 10))

    assert len(reveals(fake)) == 1
    assert [at for _, at in result.revealed] == [berlin(2026, 1, 12, 16, 3)]


def test_a_permanent_refusal_stops_the_retries_and_keeps_the_round_counted(
    sessions: Sessions, fake: FakeSlack
) -> None:
    monday_question(sessions, fake)
    clock = make_clock(sessions, fake)
    clock.tick(berlin(2026, 1, 12, 9, 30))
    fake.fail_next("chat.postMessage", "invalid_blocks", times=100)
    sweep(clock, berlin(2026, 1, 12, 16, 0), berlin(2026, 1, 12, 18, 0))

    attempts = [c for c in fake.calls("chat.postMessage") if c.args.get("thread_ts")]
    assert len(attempts) == 1  # not 120 attempts in two hours
    [rnd] = rounds(sessions)
    assert (rnd.status, rnd.error) == ("reveal_failed", "invalid_blocks")


def test_reveal_during_an_outage_says_it_will_retry_instead_of_no_open_round(
    sessions: Sessions, fake: FakeSlack
) -> None:
    monday_question(sessions, fake)
    clock = make_clock(sessions, fake)
    clock.tick(berlin(2026, 1, 12, 9, 30))
    fake.fail_next("chat.postMessage", "service_unavailable", status=503)
    outcome = clock.rounds.reveal_open(TEAM, "C1", berlin(2026, 1, 12, 11))
    assert outcome == RevealFailed("service_unavailable", retrying=True)
    [rnd] = rounds(sessions)
    assert rnd.status == "open"


class ProcessKilled(BaseException):
    """The process dies (SIGKILL, OOM, a deploy) right after Slack accepted the post."""


class DiesAfterPosting:
    """A client whose post reaches Slack, then the process is killed before it saves the ts."""

    def __init__(self, fake: FakeSlack) -> None:
        self.client = client_for(fake)("T")

    def chat_postMessage(self, **kwargs: Any) -> None:  # noqa: N802 (slack_sdk's name)
        self.client.chat_postMessage(**kwargs)
        raise ProcessKilled


def test_a_process_killed_after_posting_but_before_saving_reopens_the_round_it_posted(
    sessions: Sessions, fake: FakeSlack
) -> None:
    monday_question(sessions, fake)
    dying = RoundService(sessions, BANK, lambda _team: DiesAfterPosting(fake))  # type: ignore[arg-type,return-value]  # only chat_postMessage is called before the death
    with pytest.raises(ProcessKilled):
        Clock(sessions, dying).tick(berlin(2026, 1, 12, 9, 30))

    # Restarted: the interrupted claim is found posted (by its marker), not posted again, and
    # its thread gets the reveal.
    sweep(make_clock(sessions, fake), berlin(2026, 1, 12, 9, 35), berlin(2026, 1, 12, 16, 5))
    [question] = top_level(fake, "C1")
    [rnd] = rounds(sessions)
    assert (rnd.status, rnd.message_ts) == ("revealed", question["ts"])
    assert reveals(fake)[0]["thread_ts"] == question["ts"]


def test_a_process_killed_after_posting_and_back_after_the_reveal_time_reveals_at_once(
    sessions: Sessions, fake: FakeSlack
) -> None:
    monday_question(sessions, fake)
    dying = RoundService(sessions, BANK, lambda _team: DiesAfterPosting(fake))  # type: ignore[arg-type,return-value]  # only chat_postMessage is called before the death
    with pytest.raises(ProcessKilled):
        Clock(sessions, dying).tick(berlin(2026, 1, 12, 9, 30))

    # Down until after the 16:00 reveal: the first pass after the restart finds the question
    # and reveals it, instead of waiting a minute for the next pass.
    report = make_clock(sessions, fake).tick(berlin(2026, 1, 12, 16, 20))
    [question] = top_level(fake, "C1")
    [rnd] = rounds(sessions)
    assert report.revealed == [rnd.id]
    assert reveals(fake)[0]["thread_ts"] == question["ts"]


def test_a_refused_now_leaves_the_days_scheduled_question_in_place(
    sessions: Sessions, fake: FakeSlack
) -> None:
    monday_question(sessions, fake)
    clock = make_clock(sessions, fake)
    fake.fail_next("chat.postMessage", "ratelimited", status=200)
    outcome = clock.rounds.start_now(TEAM, "C1", berlin(2026, 1, 12, 8, 30))
    assert outcome.__class__.__name__ == "PostFailed"
    assert rounds(sessions) == []
    assert clock.tick(berlin(2026, 1, 12, 9, 30)).posted == ["C1"]


def test_one_channel_with_an_unreadable_zone_never_stops_the_others(
    sessions: Sessions, fake: FakeSlack
) -> None:
    monday_question(sessions, fake)
    subscribe(sessions, fake, "C2", SCHEDULE, berlin(2026, 1, 12, 8))
    with sessions.begin() as session:  # a row saved before zones were validated on the way in
        row = session.scalars(
            select(ChannelSchedule).where(ChannelSchedule.channel_id == "C2")
        ).one()
        row.timezone = "US/Pacific-New"
    report = make_clock(sessions, fake).tick(berlin(2026, 1, 12, 9, 30))
    assert report.posted == ["C1"]
    assert top_level(fake, "C2") == []


def test_now_a_minute_before_the_reveal_time_still_gives_half_an_hour_to_answer(
    sessions: Sessions, fake: FakeSlack
) -> None:
    monday_question(sessions, fake)
    clock = make_clock(sessions, fake)
    outcome = clock.rounds.start_now(TEAM, "C1", berlin(2026, 1, 12, 15, 59))
    assert getattr(outcome, "reveal_at", None) == berlin(2026, 1, 12, 16, 29)


def test_a_channel_that_removed_the_bot_pauses_and_the_others_carry_on(
    sessions: Sessions, fake: FakeSlack
) -> None:
    monday_question(sessions, fake)
    subscribe(sessions, fake, "C2", SCHEDULE, berlin(2026, 1, 12, 8))
    fake.add_channel("C2", "c2", bot_is_member=False)  # someone removed the bot
    clock = make_clock(sessions, fake)
    result = sweep(
        clock, berlin(2026, 1, 12, 9, 30), berlin(2026, 1, 14, 9, 35), step=timedelta(minutes=5)
    )

    assert set(result.posted) == {"C1"} and len(result.posted["C1"]) == 3  # Mon, Tue, Wed
    c2_attempts = [c for c in fake.calls("chat.postMessage") if c.args.get("channel") == "C2"]
    assert len(c2_attempts) == 1  # tried once, then paused: not every day
    assert ChannelService(sessions).pause_reasons(TEAM) == {"C2": "not_in_channel"}
    ChannelService(sessions).set_paused(TEAM, "C2", False, "UADMIN", berlin(2026, 1, 14, 10))
    assert ChannelService(sessions).pause_reasons(TEAM) == {}
