"""The calibration service against the fake Slack: a thin panel gets no statistics, a failed
chart upload never stops the text reveal, the deadline closes a session exactly once, and one
workspace can't reach another's session."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.calibration.rubric import DEFAULT_DURATION
from bot.calibration.sessions import (
    AwaitingConsent,
    CalibrationService,
    Evidence,
    NotPosted,
    Refused,
    ScoreSaved,
    SessionClosed,
    SessionPosted,
)
from bot.questions.library import QuestionLibrary
from bot.sandbox.fake_slack import FakeSlack
from tests.helpers import (
    ALICE,
    BANK,
    BOB,
    CAROL,
    CHANNEL,
    OUTSIDE,
    Sessions,
    client_for,
    replies_in,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TEAM = "T0001"
QUESTION = BANK.questions[1]


@pytest.fixture
def service(sessions: Sessions, fake: FakeSlack) -> CalibrationService:
    return CalibrationService(sessions, QuestionLibrary(sessions, BANK), client_for(fake))


def start(service: CalibrationService, channel: str = CHANNEL) -> SessionPosted | NotPosted:
    evidence = service.specimen_evidence(TEAM, QUESTION, 2)
    assert isinstance(evidence, Evidence)
    outcome = service.start(TEAM, channel, QUESTION, evidence, DEFAULT_DURATION, ALICE, NOW)
    # a bank specimen is never refused for a question with a rubric, and needs no consent
    assert not isinstance(outcome, Refused | AwaitingConsent)
    return outcome


def reveal_texts(fake: FakeSlack) -> list[str]:
    """What each reveal in a thread shows: its text and its blocks."""
    return [m["text"] + json.dumps(m["blocks"]) for m in replies_in(fake)]


def test_one_score_closes_with_a_clear_message_and_no_statistics(
    service: CalibrationService, fake: FakeSlack
) -> None:
    posted = start(service)
    assert isinstance(posted, SessionPosted)
    assert isinstance(service.submit(TEAM, posted.session_id, BOB, 3, "ok", NOW), ScoreSaved)
    summary = service.close(posted.session_id, NOW + timedelta(hours=1), ALICE)
    assert summary is not None and summary.mean is None
    [reveal] = reveal_texts(fake)
    assert "a panel needs at least 2 interviewers" in reveal
    assert fake.uploads(CHANNEL) == []


def test_a_failed_chart_upload_still_sends_the_text_reveal(
    service: CalibrationService, fake: FakeSlack
) -> None:
    posted = start(service)
    assert isinstance(posted, SessionPosted)
    for rater, score in ((BOB, 2), (CAROL, 3)):
        service.submit(TEAM, posted.session_id, rater, score, "because", NOW)
    fake.fail_next("files.getUploadURLExternal", "internal_error", status=500)
    assert service.close(posted.session_id, NOW, ALICE) is not None
    assert any("2 interviewers scored" in text for text in reveal_texts(fake))
    assert fake.uploads(CHANNEL) == []


def test_the_deadline_closes_a_session_once_however_often_the_clock_ticks(
    service: CalibrationService, fake: FakeSlack
) -> None:
    posted = start(service)
    assert isinstance(posted, SessionPosted)
    service.submit(TEAM, posted.session_id, BOB, 2, "because", NOW)
    assert service.close_due(NOW + DEFAULT_DURATION - timedelta(minutes=1)) == []
    assert service.close_due(NOW + DEFAULT_DURATION) == [posted.session_id]
    assert service.close_due(NOW + DEFAULT_DURATION + timedelta(minutes=1)) == []
    assert service.close(posted.session_id, NOW + DEFAULT_DURATION, ALICE) is None
    assert len(reveal_texts(fake)) == 1
    late = service.submit(TEAM, posted.session_id, CAROL, 4, "late", NOW + DEFAULT_DURATION)
    assert isinstance(late, SessionClosed)


def test_another_workspace_cannot_score_or_close_the_session(service: CalibrationService) -> None:
    posted = start(service)
    assert isinstance(posted, SessionPosted)
    assert isinstance(service.submit("TOTHER", posted.session_id, BOB, 1, "x", NOW), SessionClosed)
    assert isinstance(service.score_form("TOTHER", posted.session_id, BOB), SessionClosed)
    assert service.close(posted.session_id, NOW, BOB, team_id="TOTHER") is None
    assert service.close(posted.session_id, NOW, ALICE, team_id=TEAM) is not None


def test_a_channel_the_bot_is_not_in_says_so_and_leaves_nothing_open(
    service: CalibrationService, fake: FakeSlack
) -> None:
    outcome = start(service, channel=OUTSIDE)
    assert isinstance(outcome, NotPosted) and outcome.not_in_channel
    assert service.close_due(NOW + timedelta(days=8)) == []
