"""Reminders without nagging: one message from the thread to the channel, the configured time
before the reveal, naming nobody."""

from __future__ import annotations

from datetime import timedelta

from bot.channels.service import ChannelService
from bot.rounds.answers import apply_event
from bot.sandbox.fake_slack import FakeSlack
from tests.helpers import ADMIN, TEAM, Sessions, berlin, make_clock, replies_in, subscribe, sweep


def test_one_reminder_before_the_reveal_with_the_count_and_no_mentions(
    sessions: Sessions, fake: FakeSlack
) -> None:
    subscribe(sessions, fake, "C1", "09:30 Europe/Berlin daily reveal 16:00", berlin(2026, 3, 2, 8))
    ChannelService(sessions).set_reminder(TEAM, "C1", 60, ADMIN, berlin(2026, 3, 2, 8))
    clock = make_clock(sessions, fake)
    clock.tick(berlin(2026, 3, 2, 9, 30))
    [question] = fake.messages("C1")
    with sessions.begin() as session:
        for user in ("UALICE", "UBOB"):
            ts = fake.next_ts()
            reply = {
                "type": "message",
                "channel": "C1",
                "user": user,
                "text": "my answer",
                "ts": ts,
                "thread_ts": question["ts"],
            }
            apply_event(session, TEAM, reply, berlin(2026, 3, 2, 10))

    sweep(clock, berlin(2026, 3, 2, 9, 31), berlin(2026, 3, 2, 14, 59))
    assert replies_in(fake, "C1") == []  # not yet
    report = clock.tick(berlin(2026, 3, 2, 15, 0))
    assert report.reminded
    [reminder] = replies_in(fake, "C1")
    assert reminder["thread_ts"] == question["ts"]
    # also sent to the channel, where those who haven't opened the thread see it
    [call] = [
        c for c in fake.calls("chat.postMessage") if (c.response or {}).get("ts") == reminder["ts"]
    ]
    assert str(call.args["reply_broadcast"]).lower() in ("1", "true")
    assert reminder["text"].startswith("2 answered so far, reveal at")
    assert "16:00 Europe/Berlin" in str(reminder["blocks"])
    assert "Still time to join: answer in this thread." in str(reminder["blocks"])
    assert "<@" not in str(reminder["blocks"]) and "<@" not in reminder["text"]

    sweep(clock, berlin(2026, 3, 2, 15, 1), berlin(2026, 3, 2, 15, 59))
    assert len(replies_in(fake, "C1")) == 1  # only one
    clock.tick(berlin(2026, 3, 2, 16, 0))
    assert "The reveal" in replies_in(fake, "C1")[-1]["text"]


def test_no_reminder_when_off_or_when_the_reveal_came_first(
    sessions: Sessions, fake: FakeSlack
) -> None:
    subscribe(sessions, fake, "C2", "09:30 Europe/Berlin daily reveal 16:00", berlin(2026, 3, 2, 8))
    channels = ChannelService(sessions)
    channels.set_reminder(TEAM, "C2", 60, ADMIN, berlin(2026, 3, 2, 8))
    channels.set_reminder(TEAM, "C2", None, ADMIN, berlin(2026, 3, 2, 8))
    clock = make_clock(sessions, fake)
    sweep(clock, berlin(2026, 3, 2, 9, 30), berlin(2026, 3, 2, 16, 1), step=timedelta(minutes=5))
    assert [r["text"][:10] for r in replies_in(fake, "C2")] == ["The reveal"]
