"""`/interview forget-me` in process, on SQLite and PostgreSQL: after it, no string column of any
table holds the person's id or anything they wrote, nor does `python -m bot export`; others'
data stays; nothing goes without the confirmation, and a confirm button pressed by someone else
forgets only the one who pressed it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import Engine, MetaData, String, Table, func, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from bot.calibration.sessions import AwaitingConsent, CalibrationService, Evidence, SessionPosted
from bot.channels.schedule import parse_schedule
from bot.channels.service import ChannelService
from bot.privacy import render
from bot.privacy.service import PrivacyService
from bot.privacy.ui import PrivacyUI
from bot.questions.library import QuestionLibrary
from bot.rounds.blind import BlindAnswers
from bot.rounds.inbox import Inbox
from bot.rounds.reveal import Revealed
from bot.rounds.service import RoundService, Started
from bot.sandbox.fake_slack import FakeSlack
from storage import admins as admin_store
from storage import people_prefs
from storage import privacy as privacy_store
from storage.calibration import CalibrationSession
from storage.questions import CustomQuestion
from storage.rounds import Answer
from storage.states import EvidenceKind, SessionStatus
from storage.votes import Vote, upsert_vote
from tests.helpers import (
    ALICE,
    BANK,
    BOB,
    CAROL,
    CHANNEL,
    MANAGER,
    ROOT,
    TEAM,
    client_for,
    invocation,
)

OTHER_TEAM = "T0OTHER"
BLIND_CHANNEL = "CBLIND"
# What Alice wrote; none of it may survive. Bob's words must.
ALICE_WORDS = ("alice-first-draft", "alice-final-answer", "alice-blind-secret", "alice-rater-note")
BOB_WORDS = ("bob-open-answer", "bob-rater-note")
CALIBRATED = next(q for q in BANK.questions if q.can_calibrate and q.specimens)


def utc_now() -> datetime:
    """Real time: Slack ts values come from the fake's clock, and reveals cut off at `now`."""
    return datetime.now(UTC)


@dataclass
class World:
    sessions: sessionmaker[Session]
    fake: FakeSlack
    inbox: Inbox
    rounds: RoundService
    privacy: PrivacyService
    ui: PrivacyUI
    alice_answer_ts: str
    pending_event_id: str


def deliver(inbox: Inbox, event: dict[str, Any], event_id: str, team: str = TEAM) -> None:
    body = {"type": "event_callback", "team_id": team, "event_id": event_id, "event": event}
    assert inbox.receive(body)
    assert inbox.process(event_id) is not None


def reply(fake: FakeSlack, thread_ts: str, user: str, text: str) -> dict[str, Any]:
    ts = fake.next_ts()
    return {
        "type": "message",
        "channel": CHANNEL,
        "user": user,
        "text": text,
        "ts": ts,
        "thread_ts": thread_ts,
    }


def reaction(fake: FakeSlack, voter: str, author: str, ts: str) -> dict[str, Any]:
    return {
        "type": "reaction_added",
        "user": voter,
        "item_user": author,
        "reaction": "+1",
        "item": {"type": "message", "channel": CHANNEL, "ts": ts},
        "event_ts": fake.next_ts(),
    }


def edit(fake: FakeSlack, original: dict[str, Any], text: str) -> dict[str, Any]:
    return {
        "type": "message",
        "subtype": "message_changed",
        "channel": CHANNEL,
        "message": {
            **original,
            "text": text,
            "edited": {"user": original["user"], "ts": fake.next_ts()},
        },
        "ts": fake.next_ts(),
    }


def build_world(sessions: sessionmaker[Session], fake: FakeSlack) -> World:
    """Alice answered (and edited), voted, answered blind, let the panel score her answer,
    scored and noted herself, changed a schedule, started a round and a session, added a
    question, installed the app, and has an event still waiting in the inbox. Bob and Carol
    did some of the same. Alice also voted in another workspace."""
    slack = client_for(fake)
    now = utc_now()
    channels = ChannelService(sessions)
    rounds = RoundService(sessions, BANK, slack)
    inbox = Inbox(sessions, utc_now)
    schedule = parse_schedule(["09:30", "Europe/Berlin", "weekdays"], "UTC", BANK.categories())
    channels.subscribe(TEAM, CHANNEL, schedule, ALICE, now)

    started = rounds.start_now(TEAM, CHANNEL, now, started_by=ALICE)
    assert isinstance(started, Started)
    alice = reply(fake, started.message_ts, ALICE, "alice-first-draft")
    bob = reply(fake, started.message_ts, BOB, "bob-open-answer")
    deliver(inbox, alice, "Ev1")
    deliver(inbox, bob, "Ev2")
    deliver(inbox, edit(fake, alice, "alice-final-answer"), "Ev3")
    deliver(inbox, reaction(fake, BOB, ALICE, alice["ts"]), "Ev4")
    deliver(inbox, reaction(fake, CAROL, ALICE, alice["ts"]), "Ev5")
    deliver(inbox, reaction(fake, ALICE, BOB, bob["ts"]), "Ev6")
    assert isinstance(rounds.reveal(started.round_id, utc_now()), Revealed)

    fake.add_channel(BLIND_CHANNEL, "blind-practice")
    channels.subscribe(TEAM, BLIND_CHANNEL, schedule, BOB, now)
    channels.set_mode(TEAM, BLIND_CHANNEL, "blind", BOB, now)
    blind_round = rounds.start_now(TEAM, BLIND_CHANNEL, now, started_by=BOB)
    assert isinstance(blind_round, Started)
    blind = BlindAnswers(sessions, slack)
    blind.submit(TEAM, blind_round.round_id, ALICE, "alice-blind-secret", now)
    blind.submit(TEAM, blind_round.round_id, BOB, "bob-blind-answer", now)

    calibration = CalibrationService(sessions, QuestionLibrary(sessions, BANK), slack)
    consent = calibration.start(
        TEAM,
        CHANNEL,
        CALIBRATED,
        Evidence(EvidenceKind.ANSWER, "alice-final-answer", author_id=ALICE),
        timedelta(hours=2),
        MANAGER,
        now,
    )
    assert isinstance(consent, AwaitingConsent)
    calibration.answer_consent(TEAM, consent.session_id, ALICE, True, now)
    specimen = calibration.specimen_evidence(TEAM, CALIBRATED, 1)
    assert isinstance(specimen, Evidence)
    posted = calibration.start(TEAM, CHANNEL, CALIBRATED, specimen, timedelta(hours=2), ALICE, now)
    assert isinstance(posted, SessionPosted)
    for session_id in (consent.session_id, posted.session_id):
        calibration.submit(TEAM, session_id, ALICE, 3, "alice-rater-note", now)
        calibration.submit(TEAM, session_id, BOB, 2, "bob-rater-note", now)
    assert calibration.close(posted.session_id, utc_now(), closed_by=ALICE) is not None

    with sessions.begin() as session:
        session.add(
            CustomQuestion(
                team_id=TEAM,
                question_id="team-q-1",
                category="behavioral",
                question="Tell us about a hard call you made.",
                rationale="Judgement.",
                sample_answer="A story with a decision in it.",
                difficulty=None,
                added_by=ALICE,
                created_at=now,
            )
        )
        upsert_vote(
            session,
            team_id=OTHER_TEAM,
            channel_id="COTHER",
            message_ts="1.000001",
            voter_id=ALICE,
            active=True,
            version="1.000001",
            now=now,
        )
    engine = sessions.kw["bind"]
    store = SQLAlchemyInstallationStore(client_id="111.222", engine=engine)
    store.save(
        Installation(
            app_id="A0APP",
            enterprise_id=None,
            team_id=TEAM,
            team_name="Acme",
            bot_token="xoxb-installed",
            bot_id="B0BOT",
            bot_user_id="UBOT",
            bot_scopes="chat:write",
            user_id=ALICE,
            installed_at=now.timestamp(),
        )
    )
    # A late edit of hers, stored but not applied yet (the process died before it).
    pending: dict[str, Any] = {"type": "event_callback", "team_id": TEAM, "event_id": "EvPending"}
    pending["event"] = edit(fake, alice, "alice-final-answer (pending edit)")
    assert inbox.receive(pending)

    privacy = PrivacyService(sessions)
    return World(
        sessions, fake, inbox, rounds, privacy, PrivacyUI(privacy), alice["ts"], "EvPending"
    )


def holding(engine: Engine, needle: str) -> list[str]:
    """Every `table.column` of every string column, in every table, holding `needle`."""
    found = []
    with engine.connect() as conn:
        for name in inspect(conn).get_table_names():
            table = Table(name, MetaData(), autoload_with=conn)
            for col in table.columns:
                if not isinstance(col.type, String):
                    continue
                query = select(func.count()).select_from(table).where(col.contains(needle))
                if conn.execute(query).scalar():
                    found.append(f"{name}.{col.name}")
    return sorted(found)


def python_m_bot(database_url: str, tmp_path: Path, *args: str) -> str:
    """`python -m bot <args>` against the test database; its standard output."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url,
        "DOTENV_PATH": str(tmp_path / "no.env"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout


def export(database_url: str, tmp_path: Path) -> str:
    text = python_m_bot(database_url, tmp_path, "export")
    json.loads(text)
    return text


@pytest.fixture
def world(sessions: sessionmaker[Session], fake: FakeSlack) -> World:
    return build_world(sessions, fake)


def test_nothing_of_theirs_remains_in_any_table_or_the_export(
    world: World, database_url: str, tmp_path: Path
) -> None:
    engine = world.sessions.kw["bind"]
    before = export(database_url, tmp_path)
    assert "alice-final-answer" in before and ALICE in before
    assert holding(engine, ALICE)  # the world really holds her (a test of the test)

    forgotten = world.privacy.forget(TEAM, ALICE, utc_now())

    assert (forgotten.answers, forgotten.blind_answers) == (1, 1)
    assert (forgotten.votes_cast, forgotten.votes_received, forgotten.scores) == (1, 2, 2)
    # applied events keep no payload: only the pending edit still held her words
    assert forgotten.evidence == 1 and forgotten.events == 1
    # her id and her words are nowhere in this workspace's rows (her vote elsewhere stays)
    assert holding(engine, ALICE) == ["votes.voter_id"]
    with world.sessions.begin() as session:
        assert session.scalars(select(Vote.team_id).where(Vote.voter_id == ALICE)).all() == [
            OTHER_TEAM
        ]
    for words in ALICE_WORDS:
        assert holding(engine, words) == [], words
    after = export(database_url, tmp_path)
    assert ALICE not in after
    assert not [w for w in ALICE_WORDS if w in after]
    # Bob's answer, score and note stay, and so does the panel's work on her answer
    for words in BOB_WORDS:
        assert words in after, words
    assert BOB in after
    with world.sessions.begin() as session:
        evidence = session.scalars(
            select(CalibrationSession).where(CalibrationSession.evidence_kind == "answer")
        ).one()
        assert evidence.author_id is None and evidence.evidence == privacy_store.REMOVED_EVIDENCE

    # the operator's command, across every workspace, takes the rest
    said = python_m_bot(database_url, tmp_path, "forget", "--user", ALICE)
    assert said.startswith(f"forgot {ALICE} in every workspace: 0 answers, 1 vote cast")
    assert holding(engine, ALICE) == []


def test_late_events_do_not_bring_back_what_was_forgotten(world: World) -> None:
    world.privacy.forget(TEAM, ALICE, utc_now())
    # the pending edit was emptied and counts as applied: draining applies nothing of hers
    assert world.inbox.drain() == 0
    # a redelivered edit with a new event id, and a vote on her old answer
    late = edit(
        world.fake, {**reply(world.fake, "x", ALICE, "x"), "ts": world.alice_answer_ts}, "x"
    )
    late["message"]["thread_ts"] = _thread_of(world, world.alice_answer_ts)
    late["message"]["text"] = "alice-final-answer again"
    deliver(world.inbox, late, "EvLateEdit")
    deliver(world.inbox, reaction(world.fake, CAROL, ALICE, world.alice_answer_ts), "EvLateVote")
    engine = world.sessions.kw["bind"]
    with world.sessions.begin() as session:
        tombstone = session.scalars(select(Answer).where(Answer.ts == world.alice_answer_ts)).one()
        assert (tombstone.user_id, tombstone.text, tombstone.deleted) == ("", "", True)
    # No answer, and no vote that counts, came back; and the late deliveries, once applied,
    # keep only their event ids (to recognise Slack's retries), not what they said.
    assert holding(engine, "alice-final-answer") == []
    assert holding(engine, ALICE) == ["votes.voter_id"]


def _thread_of(world: World, ts: str) -> str:
    with world.sessions.begin() as session:
        answer = session.scalars(select(Answer).where(Answer.ts == ts)).one()
        return answer.round.message_ts or ""


def test_forgetting_twice_finds_nothing_the_second_time(world: World) -> None:
    world.privacy.forget(TEAM, ALICE, utc_now())
    again = world.privacy.forget(TEAM, ALICE, utc_now())
    assert again == privacy_store.Forgotten(0, 0, 0, 0, 0, 0, 0, 0)
    assert world.privacy.stored(TEAM, ALICE).nothing


def test_a_blind_answer_forgotten_before_the_reveal_is_never_posted(world: World) -> None:
    world.privacy.forget(TEAM, ALICE, utc_now())
    with world.sessions.begin() as session:
        round_id = session.scalars(
            select(Answer.round_id).where(Answer.channel_id == CHANNEL)
        ).first()
    assert round_id is not None
    blind = world.rounds.reveal_open(TEAM, BLIND_CHANNEL, utc_now())
    assert isinstance(blind, Revealed) and blind.participants == 1
    posted = " ".join(str(m["text"]) for m in world.fake.messages(BLIND_CHANNEL))
    assert "bob-blind-answer" in posted and "alice-blind-secret" not in posted


# -- the confirmation ---------------------------------------------------------------------------


def _button(reply_blocks: list[dict[str, Any]] | None, action_id: str) -> str:
    for block in reply_blocks or []:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return str(element["value"])
    raise AssertionError(f"no {action_id} button")


def test_the_command_only_asks_and_cancel_deletes_nothing(world: World) -> None:
    stored = world.privacy.stored(TEAM, ALICE)
    asked = world.ui.forget_me(invocation(ALICE, "forget-me"), [], utc_now())

    assert "Delete everything I stored about you" in asked.text
    text = json.dumps(asked.blocks)
    assert "2 answers" in text and "1 vote you cast" in text and "2 calibration scores" in text
    _button(asked.blocks, render.CONFIRM_BUTTON)
    assert world.ui.cancel().text == render.NOTHING_DELETED
    assert world.privacy.stored(TEAM, ALICE) == stored  # pressing nothing deletes nothing


def test_a_confirm_button_pressed_by_someone_else_forgets_only_them(world: World) -> None:
    now = utc_now()
    asked = world.ui.forget_me(invocation(ALICE, "forget-me"), [], now)
    value = _button(asked.blocks, render.CONFIRM_BUTTON)
    alice_before = world.privacy.stored(TEAM, ALICE)

    done = world.ui.confirm(TEAM, BOB, value, now + timedelta(seconds=5))

    assert done.text.startswith("Done: I deleted")
    # Alice keeps everything but her vote on Bob's answer, which went with his answer
    assert world.privacy.stored(TEAM, ALICE) == replace(alice_before, votes=alice_before.votes - 1)
    assert holding(world.sessions.kw["bind"], "alice-final-answer") != []
    assert world.privacy.stored(TEAM, BOB).nothing
    assert holding(world.sessions.kw["bind"], "bob-open-answer") == []


def test_the_confirmation_names_the_rights_that_go_and_a_channel_left_without_admin(
    world: World,
) -> None:
    now = utc_now()
    with world.sessions.begin() as session:
        admin_store.add_channel_admin(session, TEAM, "CALONE", ALICE, ALICE, now)
        admin_store.add_channel_admin(session, TEAM, "CSHARED", ALICE, ALICE, now)
        admin_store.add_channel_admin(session, TEAM, "CSHARED", BOB, ALICE, now)
        admin_store.add_manager(session, TEAM, ALICE, BOB, now)

    text = json.dumps(world.ui.forget_me(invocation(ALICE, "forget-me"), [], now).blocks)

    # she set up the fixture's practice channel alone, too, and installed the app
    assert (
        "You also stop being an admin of <#CALONE>, <#CPRACTICE> and <#CSHARED>, a hiring "
        "manager and one of the bot's admins (you installed it)." in text
    )
    assert "You are the only admin of <#CALONE> and <#CPRACTICE>: afterwards" in text
    assert "change their settings" in text
    assert "/interview admins add @name" in text
    value = _button(
        world.ui.forget_me(invocation(ALICE, "forget-me"), [], now).blocks, render.CONFIRM_BUTTON
    )
    world.ui.confirm(TEAM, ALICE, value, now)
    gone = world.privacy.stored(TEAM, ALICE)
    assert (gone.runs, gone.manager, gone.installed) == ((), False, False)
    bob = json.dumps(world.ui.forget_me(invocation(BOB, "forget-me"), [], now).blocks)
    assert "CSHARED" in world.privacy.stored(TEAM, BOB).alone_in  # Bob is left to ask
    assert "You are the only admin of" in bob and "<#CSHARED>" in bob
    assert "hiring manager" not in bob


@pytest.mark.parametrize(
    "value", ["", "forget", "-5", "123456789012345", "{issued}-expired", "{issued}+future"]
)
def test_an_expired_or_forged_confirmation_deletes_nothing(world: World, value: str) -> None:
    now = utc_now()
    issued = int(now.timestamp())
    value = {
        "{issued}-expired": str(issued - 16 * 60),
        "{issued}+future": str(issued + 10 * 60),
    }.get(value, value)
    stored = world.privacy.stored(TEAM, ALICE)

    assert world.ui.confirm(TEAM, ALICE, value, now).text == render.EXPIRED
    assert world.privacy.stored(TEAM, ALICE) == stored


def test_the_confirmation_deletes_within_the_workspace_only(world: World) -> None:
    asked = world.ui.forget_me(invocation(ALICE, "forget-me"), [], utc_now())
    value = _button(asked.blocks, render.CONFIRM_BUTTON)
    assert world.ui.confirm(TEAM, ALICE, value, utc_now()).text.startswith("Done")
    assert world.privacy.stored(TEAM, ALICE).nothing
    assert world.privacy.stored(OTHER_TEAM, ALICE).votes == 1


def test_awaiting_consent_is_declined_when_its_author_is_forgotten(world: World) -> None:
    slack = client_for(world.fake)
    calibration = CalibrationService(world.sessions, QuestionLibrary(world.sessions, BANK), slack)
    asked = calibration.start(
        TEAM,
        CHANNEL,
        CALIBRATED,
        Evidence(EvidenceKind.ANSWER, "alice-final-answer", author_id=ALICE),
        timedelta(hours=1),
        MANAGER,
        utc_now(),
    )
    assert isinstance(asked, AwaitingConsent)
    world.privacy.forget(TEAM, ALICE, utc_now())
    with world.sessions.begin() as session:
        row = session.get_one(CalibrationSession, asked.session_id)
        assert row.status == SessionStatus.DECLINED and row.author_id is None
    # her Allow, pressed later, can't post it
    assert calibration.answer_consent(TEAM, asked.session_id, ALICE, True, utc_now()) == (
        "Only the answer's author can decide this."
    )


def test_a_revealed_blind_answer_counts_once(world: World) -> None:
    revealed = world.rounds.reveal_open(TEAM, BLIND_CHANNEL, utc_now())
    assert isinstance(revealed, Revealed) and revealed.participants == 2
    stored = world.privacy.stored(TEAM, ALICE)
    assert (stored.answers, stored.blind_answers) == (1, 1)  # not the reveal's copy as well
    forgotten = world.privacy.forget(TEAM, ALICE, utc_now())
    assert (forgotten.answers, forgotten.blind_answers) == (1, 1)
    assert holding(world.sessions.kw["bind"], "alice-blind-secret") == []


def test_forgetting_a_person_ends_their_snooze_and_their_reveal_pings(
    sessions: sessionmaker[Session],
) -> None:
    now = utc_now()
    with sessions.begin() as session:
        people_prefs.set_reveal_pings(session, TEAM, ALICE, True, now)
        people_prefs.snooze(session, TEAM, ALICE, now, now + timedelta(days=7))
        people_prefs.set_reveal_pings(session, TEAM, BOB, True, now)

    with sessions.begin() as session:
        privacy_store.forget_user(session, TEAM, ALICE, now)

    with sessions.begin() as session:
        assert not people_prefs.wants_reveal_pings(session, TEAM, ALICE)
        assert list(people_prefs.snoozes_of(session, TEAM, ALICE)) == []
        assert people_prefs.wants_reveal_pings(session, TEAM, BOB)  # others' settings stay
