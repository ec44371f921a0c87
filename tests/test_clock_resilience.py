"""The clock under trouble: Slack outages, a broken channel, a crash in the middle of a reveal."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from bot.sandbox.fake_slack import FakeSlack
from storage.channels import ChannelSchedule
from storage.rounds import Round
from tests.helpers import TEAM, Sessions, berlin, make_clock, replies_in, subscribe, top_level


def test_a_slack_outage_at_post_time_is_retried_within_the_grace_period(
    sessions: Sessions, fake: FakeSlack
) -> None:
    subscribe(sessions, fake, "C1", "09:00 Europe/Berlin daily", berlin(2026, 3, 2, 8))
    clock = make_clock(sessions, fake)
    fake.fail_next("chat.postMessage", "service_unavailable")
    assert clock.tick(berlin(2026, 3, 2, 9, 0)).posted == []
    assert clock.tick(berlin(2026, 3, 2, 9, 1)).posted == ["C1"]
    assert len(top_level(fake, "C1")) == 1


def test_a_permanent_refusal_is_not_retried(sessions: Sessions, fake: FakeSlack) -> None:
    subscribe(sessions, fake, "C1", "09:00 Europe/Berlin daily", berlin(2026, 3, 2, 8))
    clock = make_clock(sessions, fake)
    fake.fail_next("chat.postMessage", "invalid_auth")
    clock.tick(berlin(2026, 3, 2, 9, 0))
    clock.tick(berlin(2026, 3, 2, 9, 1))
    assert len(fake.calls("chat.postMessage")) == 1
    with sessions.begin() as session:
        [rnd] = session.scalars(select(Round))
        assert (rnd.status, rnd.error) == ("failed", "invalid_auth")


def test_one_broken_channel_does_not_stop_the_others(
    sessions: Sessions, fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    subscribe(sessions, fake, "C1", "09:00 Europe/Berlin daily", berlin(2026, 3, 2, 8))
    subscribe(sessions, fake, "C2", "09:00 Europe/Berlin daily", berlin(2026, 3, 2, 8))
    with sessions.begin() as session:  # C1's categories vanished from the bank since
        session.get_one(ChannelSchedule, (TEAM, "C1")).categories = "gone-category"
    clock = make_clock(sessions, fake)
    with caplog.at_level(logging.ERROR):
        report = clock.tick(berlin(2026, 3, 2, 9, 0))
    assert report.posted == ["C2"]
    assert "scheduled action failed" in caplog.text


def test_a_reveal_interrupted_by_a_crash_is_retried(sessions: Sessions, fake: FakeSlack) -> None:
    subscribe(sessions, fake, "C1", "09:00 Europe/Berlin daily reveal 16:00", berlin(2026, 3, 2, 8))
    clock = make_clock(sessions, fake)
    clock.tick(berlin(2026, 3, 2, 9, 0))
    with sessions.begin() as session:  # what a crash right after claiming the reveal leaves
        rnd = session.scalars(select(Round)).one()
        rnd.status, rnd.revealed_at = "revealed", berlin(2026, 3, 2, 16, 0)
    assert clock.tick(berlin(2026, 3, 2, 16, 5)).revealed == []  # maybe still in progress
    assert len(clock.tick(berlin(2026, 3, 2, 16, 11)).revealed) == 1
    assert [r["text"][:10] for r in replies_in(fake, "C1")] == ["The reveal"]
