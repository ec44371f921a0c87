"""A deleted answer keeps only a tombstone: its text, its author and the votes on it go, and no
redelivered reply, late edit or late reaction brings any of it back, in whatever order Slack's
events arrive. Copies go too: deleting the reveal's copy of a blind answer deletes the private
answer, and a calibration session quoting the answer keeps its scores but not the text."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.rounds.answers import apply_event
from storage.blind import BlindAnswer, save_blind_answer
from storage.calibration import CalibrationSession
from storage.privacy import DELETED_EVIDENCE
from storage.rounds import Answer, Round, counted_answers, upsert_answer
from storage.states import AnswerMode, EvidenceKind, RoundStatus, SessionStatus
from storage.votes import Vote

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
THREAD = f"{(NOW - timedelta(hours=1)).timestamp():.6f}"
REPLY_TS = f"{(NOW - timedelta(minutes=30)).timestamp():.6f}"
EDIT_TS = f"{(NOW - timedelta(minutes=20)).timestamp():.6f}"
LATER_EDIT_TS = f"{(NOW - timedelta(minutes=5)).timestamp():.6f}"
SECRET = "my phone number is 555-0100, oops"


def add_round(sessions: sessionmaker[Session], mode: AnswerMode = AnswerMode.OPEN) -> int:
    with sessions.begin() as session:
        rnd = Round(
            team_id="T1",
            channel_id="C1",
            local_date=date(2026, 12, 1),
            sequence=0,
            question_id="q",
            status=RoundStatus.OPEN,
            mode=mode,
            message_ts=THREAD,
            claimed_at=NOW - timedelta(hours=1),
        )
        session.add(rnd)
        session.flush()
        return rnd.id


def reply(text: str = SECRET, user: str = "U1") -> dict[str, Any]:
    return {
        "type": "message",
        "channel": "C1",
        "user": user,
        "text": text,
        "ts": REPLY_TS,
        "thread_ts": THREAD,
    }


def edit(text: str, at: str) -> dict[str, Any]:
    message = {**reply(text), "edited": {"user": "U1", "ts": at}}
    return {"type": "message", "subtype": "message_changed", "channel": "C1", "message": message}


def deletion(previous: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": "message",
        "subtype": "message_deleted",
        "channel": "C1",
        "deleted_ts": REPLY_TS,
        "previous_message": previous or reply(),
        "hidden": True,
    }


def vote(voter: str, event_ts: str, kind: str = "reaction_added") -> dict[str, Any]:
    item = {"type": "message", "channel": "C1", "ts": REPLY_TS}
    return {
        "type": kind,
        "user": voter,
        "item_user": "U1",
        "reaction": "+1",
        "item": item,
        "event_ts": event_ts,
    }


def apply(sessions: sessionmaker[Session], *events: dict[str, Any]) -> list[str]:
    with sessions.begin() as session:
        return [apply_event(session, "T1", event, NOW) for event in events]


def stored(sessions: sessionmaker[Session]) -> tuple[str, str, bool, datetime | None]:
    with sessions.begin() as session:
        answer = session.scalars(select(Answer).where(Answer.ts == REPLY_TS)).one()
        return answer.text, answer.user_id, answer.deleted, answer.deleted_at


def votes(sessions: sessionmaker[Session]) -> list[str]:
    with sessions.begin() as session:
        return list(session.scalars(select(Vote.voter_id).where(Vote.message_ts == REPLY_TS)))


def test_a_deleted_answer_loses_its_text_author_and_votes(sessions: sessionmaker[Session]) -> None:
    round_id = add_round(sessions)
    apply(sessions, reply(), edit(SECRET + " (edited)", EDIT_TS), vote("U2", EDIT_TS))
    assert stored(sessions)[:3] == (SECRET + " (edited)", "U1", False)
    assert votes(sessions) == ["U2"]

    assert apply(sessions, deletion()) == ["answer deleted"]

    text, author, deleted, deleted_at = stored(sessions)
    assert (text, author, deleted, deleted_at) == ("", "", True, NOW)
    assert votes(sessions) == []
    with sessions.begin() as session:
        assert counted_answers(session, session.get_one(Round, round_id)) == []


def test_nothing_delivered_after_the_deletion_brings_it_back(
    sessions: sessionmaker[Session],
) -> None:
    add_round(sessions)
    apply(sessions, reply(), deletion())
    outcomes = apply(
        sessions,
        reply(),  # Slack's retry of the reply, under a new event id
        edit("rewritten after the deletion", LATER_EDIT_TS),  # an edit delivered late
        vote("U3", LATER_EDIT_TS),  # a reaction delivered late
        deletion(),  # the deletion, again
    )
    assert outcomes[2] == "ignored: deleted answer"
    assert stored(sessions) == ("", "", True, NOW)
    assert votes(sessions) == []


def test_a_deletion_arriving_before_the_reply_stores_no_text(
    sessions: sessionmaker[Session],
) -> None:
    add_round(sessions)
    # the deletion carries the old text in previous_message: it must not be kept
    assert apply(sessions, deletion(), reply(), edit("edited", EDIT_TS)) == [
        "answer deleted",
        "answer stored",
        "answer stored",
    ]
    assert stored(sessions) == ("", "", True, NOW)


def test_deleting_the_reveal_copy_of_a_blind_answer_deletes_the_private_one(
    sessions: sessionmaker[Session],
) -> None:
    round_id = add_round(sessions, AnswerMode.BLIND)
    with sessions.begin() as session:
        for user in ("U1", "U2"):
            save_blind_answer(
                session, round_id=round_id, team_id="T1", user_id=user, text=SECRET, now=NOW
            )
        # the reveal posted U1's answer (as the bot) and recorded it
        upsert_answer(
            session,
            round_id=round_id,
            team_id="T1",
            channel_id="C1",
            ts=REPLY_TS,
            user_id="U1",
            text=SECRET,
            version=REPLY_TS,
            now=NOW,
        )
    posted_copy = {**reply(), "user": "UBOT", "bot_id": "B1"}  # a workspace admin deleted it
    assert apply(sessions, deletion(posted_copy)) == ["answer deleted"]
    assert stored(sessions) == ("", "", True, NOW)
    with sessions.begin() as session:
        assert list(session.scalars(select(BlindAnswer.user_id))) == ["U2"]


def test_calibration_evidence_quoting_a_deleted_answer_loses_it(
    sessions: sessionmaker[Session],
) -> None:
    add_round(sessions)
    apply(sessions, reply())
    with sessions.begin() as session:
        for status, evidence in (
            (SessionStatus.CLOSED, SECRET),
            (SessionStatus.AWAITING_CONSENT, SECRET),
            (SessionStatus.OPEN, "another answer of theirs"),
        ):
            session.add(
                CalibrationSession(
                    team_id="T1",
                    channel_id="C1",
                    question_id="q",
                    category="behavioral",
                    evidence_kind=EvidenceKind.ANSWER,
                    evidence=evidence,
                    author_id="U1",
                    status=status,
                    started_by="UMANAGER",
                    created_at=NOW,
                    duration_minutes=60,
                )
            )
    apply(sessions, deletion())
    with sessions.begin() as session:
        rows = session.scalars(select(CalibrationSession).order_by(CalibrationSession.id)).all()
        assert [(r.evidence, r.author_id, r.status) for r in rows] == [
            (DELETED_EVIDENCE, None, SessionStatus.CLOSED),
            (DELETED_EVIDENCE, None, SessionStatus.DECLINED),
            ("another answer of theirs", "U1", SessionStatus.OPEN),
        ]
