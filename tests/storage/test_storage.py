"""Storage on SQLite and PostgreSQL: answers, votes, the inbox, time zones, claims, team scoping."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import permutations
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from sqlalchemy import func, select
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.schedule import parse_schedule
from bot.channels.service import ChannelService
from bot.rounds.answers import apply_event
from bot.rounds.inbox import MAX_ATTEMPTS, Inbox
from storage import channels as channel_store
from storage import rounds as round_store
from storage import votes as vote_store
from storage.channels import ChannelSchedule
from storage.db import alembic_config, make_engine
from storage.inbox import GIVE_UP_AFTER, TRIMMED, InboxEvent
from storage.rounds import Answer, Round
from storage.states import RoundStatus
from storage.votes import Vote

Sessions = sessionmaker[Session]

TEAM = "T1"
OTHER_TEAM = "T2"
CHANNEL = "C1"
NOW = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)
QUESTION_TS = "1768208400.000100"  # the round's question message
ALICE, BOB, CAROL = "U0ALICE", "U0BOB", "U0CAROL"


# -- helpers -----------------------------------------------------------------------------------


def open_round(
    sessions: Sessions,
    *,
    team: str = TEAM,
    channel: str = CHANNEL,
    message_ts: str = QUESTION_TS,
    local_date: date = date(2026, 1, 12),
) -> int:
    """A posted, open round whose question message is `message_ts`."""
    with sessions.begin() as session:
        round_id = round_store.claim_round(
            session,
            team_id=team,
            channel_id=channel,
            local_date=local_date,
            sequence=0,
            question_id="sql-vs-nosql",
            now=NOW,
        )
        assert round_id is not None
        rnd = session.get_one(Round, round_id)
        rnd.status, rnd.message_ts, rnd.posted_at = "open", message_ts, NOW
        rnd.reveal_at = NOW + timedelta(hours=6)
    return round_id


def reply(ts: str, text: str, *, user: str = ALICE, channel: str = CHANNEL) -> dict[str, Any]:
    return {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
        "thread_ts": QUESTION_TS,
    }


def edit(ts: str, text: str, edited_ts: str, *, user: str = ALICE) -> dict[str, Any]:
    return {
        "type": "message",
        "subtype": "message_changed",
        "channel": CHANNEL,
        "hidden": True,
        "ts": edited_ts,
        "message": {
            "type": "message",
            "user": user,
            "text": text,
            "ts": ts,
            "thread_ts": QUESTION_TS,
            "edited": {"user": user, "ts": edited_ts},
        },
        "previous_message": {"type": "message", "user": user, "ts": ts, "thread_ts": QUESTION_TS},
    }


def delete(ts: str, deleted_at: str, *, user: str = ALICE, text: str = "") -> dict[str, Any]:
    return {
        "type": "message",
        "subtype": "message_deleted",
        "channel": CHANNEL,
        "hidden": True,
        "ts": deleted_at,
        "deleted_ts": ts,
        "previous_message": {
            "type": "message",
            "user": user,
            "text": text,
            "ts": ts,
            "thread_ts": QUESTION_TS,
        },
    }


def reaction(
    kind: str,
    answer_ts: str,
    *,
    voter: str,
    author: str | None,
    event_ts: str,
    name: str = "+1",
    channel: str = CHANNEL,
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": kind,
        "user": voter,
        "reaction": name,
        "item": {"type": "message", "channel": channel, "ts": answer_ts},
        "event_ts": event_ts,
    }
    if author is not None:
        event["item_user"] = author
    return event


def vote(answer_ts: str, voter: str, event_ts: str, **kw: Any) -> dict[str, Any]:
    return reaction("reaction_added", answer_ts, voter=voter, event_ts=event_ts, **kw)


def unvote(answer_ts: str, voter: str, event_ts: str, **kw: Any) -> dict[str, Any]:
    return reaction("reaction_removed", answer_ts, voter=voter, event_ts=event_ts, **kw)


def apply(sessions: Sessions, *events: dict[str, Any], team: str = TEAM) -> list[str]:
    outcomes = []
    for event in events:
        with sessions.begin() as session:
            outcomes.append(apply_event(session, team, event, NOW))
    return outcomes


def answer_rows(sessions: Sessions, team: str = TEAM) -> dict[str, tuple[str, bool]]:
    """{ts: (text, deleted)} for every stored answer of the team."""
    with sessions.begin() as session:
        rows = session.scalars(select(Answer).where(Answer.team_id == team)).all()
        return {a.ts: (a.text, a.deleted) for a in rows}


def counted(sessions: Sessions, round_id: int) -> dict[str, str]:
    """{ts: text} of the answers the reveal would count."""
    with sessions.begin() as session:
        rnd = session.get_one(Round, round_id)
        return {a.ts: a.text for a in round_store.counted_answers(session, rnd)}


def votes(sessions: Sessions, round_id: int) -> dict[str, list[str]]:
    """{answer ts: voters} as the reveal counts them."""
    with sessions.begin() as session:
        rnd = session.get_one(Round, round_id)
        return vote_store.voters_by_answer(session, round_store.counted_answers(session, rnd))


def ts(n: int, micro: int = 200) -> str:
    """A Slack ts `n` seconds after the question."""
    return f"{1768208400 + n}.{micro:06d}"


# -- answers -----------------------------------------------------------------------------------

# Every delivery order of: the reply, the same reply again (a retry), and two edits.
ORDERS = sorted(set(permutations(["reply", "reply", "edit 1", "edit 2"])))


def test_an_answer_keeps_its_newest_text_whatever_order_reply_and_edits_arrive(
    sessions: Sessions,
) -> None:
    round_id = open_round(sessions)
    expected = {}
    for n, order in enumerate(ORDERS):
        answer_ts = ts(100 + n)
        events = {
            "reply": reply(answer_ts, "first draft"),
            "edit 1": edit(answer_ts, "second draft", ts(1000 + n)),
            "edit 2": edit(answer_ts, "final answer", ts(2000 + n)),
        }
        apply(sessions, *(events[name] for name in order))
        expected[answer_ts] = "final answer"

    assert counted(sessions, round_id) == expected
    assert answer_rows(sessions) == {ts_: (text, False) for ts_, text in expected.items()}


def test_a_duplicate_reply_stores_one_answer(sessions: Sessions) -> None:
    round_id = open_round(sessions)
    outcomes = apply(sessions, reply(ts(10), "hash join"), reply(ts(10), "hash join"))
    assert outcomes == ["answer stored", "answer stored"]
    assert counted(sessions, round_id) == {ts(10): "hash join"}


@pytest.mark.parametrize(
    "order",
    [
        ("delete", "reply"),
        ("delete", "edit", "reply"),
        ("edit", "delete", "reply"),
        ("reply", "delete", "edit"),
        ("reply", "edit", "delete"),
        ("delete", "delete", "reply"),
    ],
    ids=" then ".join,
)
def test_a_deleted_answer_stays_deleted_whatever_arrives_after(
    sessions: Sessions, order: tuple[str, ...]
) -> None:
    round_id = open_round(sessions)
    answer_ts = ts(10)
    events = {
        "reply": reply(answer_ts, "oops, wrong thread"),
        "edit": edit(answer_ts, "edited", ts(20)),
        "delete": delete(answer_ts, ts(30), text="oops, wrong thread"),
    }
    apply(sessions, *(events[name] for name in order))

    assert counted(sessions, round_id) == {}
    assert [deleted for _, deleted in answer_rows(sessions).values()] == [True]


def test_replies_that_are_not_answers_are_ignored(sessions: Sessions) -> None:
    round_id = open_round(sessions)
    bot_reply = reply(ts(1), "I'm the bot") | {"bot_id": "B0BOT"}
    top_level = reply(ts(2), "not in a thread") | {"thread_ts": None}
    other_thread = reply(ts(3), "another thread") | {"thread_ts": ts(-50)}
    join = reply(ts(4), "joined") | {"subtype": "channel_join"}
    outcomes = apply(sessions, bot_reply, top_level, other_thread, join)

    assert outcomes == [
        "ignored: not a human thread reply",
        "ignored: not a human thread reply",
        "ignored: not a round thread",
        "ignored: message subtype",
    ]
    assert counted(sessions, round_id) == {}


def test_answers_after_the_reveal_do_not_count(sessions: Sessions) -> None:
    round_id = open_round(sessions)
    apply(sessions, reply(ts(10), "in time"))
    with sessions.begin() as session:
        assert round_store.claim_reveal(
            session, round_id, datetime.fromtimestamp(1768208400 + 60, UTC)
        )
    assert apply(sessions, reply(ts(61), "too late")) == ["ignored: after the reveal"]
    assert counted(sessions, round_id) == {ts(10): "in time"}


# -- votes -------------------------------------------------------------------------------------


def test_a_vote_counts_and_its_removal_uncounts_it(sessions: Sessions) -> None:
    round_id = open_round(sessions)
    apply(sessions, reply(ts(10), "answer", user=ALICE))
    apply(sessions, vote(ts(10), BOB, ts(20), author=ALICE))
    assert votes(sessions, round_id) == {ts(10): [BOB]}
    apply(sessions, unvote(ts(10), BOB, ts(30), author=ALICE))
    assert votes(sessions, round_id) == {ts(10): []}


def test_a_removal_that_arrives_before_its_older_add_leaves_no_vote(sessions: Sessions) -> None:
    round_id = open_round(sessions)
    apply(sessions, reply(ts(10), "answer", user=ALICE))
    apply(
        sessions,
        unvote(ts(10), BOB, ts(30), author=ALICE),  # newer, delivered first
        vote(ts(10), BOB, ts(20), author=ALICE),  # older, delivered late
    )
    assert votes(sessions, round_id) == {ts(10): []}


def test_a_late_older_removal_does_not_undo_a_newer_add(sessions: Sessions) -> None:
    round_id = open_round(sessions)
    apply(sessions, reply(ts(10), "answer", user=ALICE))
    apply(
        sessions,
        vote(ts(10), BOB, ts(20), author=ALICE),
        unvote(ts(10), BOB, ts(30), author=ALICE),
        vote(ts(10), BOB, ts(40), author=ALICE),  # re-added
        unvote(ts(10), BOB, ts(30), author=ALICE),  # a retry of the old removal
    )
    assert votes(sessions, round_id) == {ts(10): [BOB]}


def test_voting_for_your_own_answer_does_not_count(sessions: Sessions) -> None:
    round_id = open_round(sessions)
    apply(sessions, reply(ts(10), "mine", user=ALICE))
    outcomes = apply(
        sessions,
        vote(ts(10), ALICE, ts(20), author=ALICE),
        # Even when Slack leaves out item_user, the author's reaction is not a vote.
        vote(ts(10), ALICE, ts(21), author=None, name="+1::skin-tone-2"),
    )
    assert outcomes[0] == "ignored: own answer"
    assert votes(sessions, round_id) == {ts(10): []}


@pytest.mark.parametrize("name", ["+1::skin-tone-2", "+1::skin-tone-6"])
def test_skin_tones_count_as_the_vote_emoji(sessions: Sessions, name: str) -> None:
    round_id = open_round(sessions)
    apply(sessions, reply(ts(10), "answer", user=ALICE))
    assert apply(sessions, vote(ts(10), BOB, ts(20), author=ALICE, name=name)) == ["vote stored"]
    assert votes(sessions, round_id) == {ts(10): [BOB]}


def test_other_emoji_are_not_votes(sessions: Sessions) -> None:
    round_id = open_round(sessions)
    apply(sessions, reply(ts(10), "answer", user=ALICE))
    outcomes = apply(sessions, vote(ts(10), BOB, ts(20), author=ALICE, name="heart"))
    assert outcomes == ["ignored: not the vote emoji"]
    assert votes(sessions, round_id) == {ts(10): []}


def test_one_vote_per_voter_per_answer_even_with_two_reactions(sessions: Sessions) -> None:
    round_id = open_round(sessions)
    apply(sessions, reply(ts(10), "alice's", user=ALICE), reply(ts(11), "carol's", user=CAROL))
    apply(
        sessions,
        vote(ts(10), BOB, ts(20), author=ALICE),
        vote(ts(10), BOB, ts(21), author=ALICE, name="+1::skin-tone-3"),
        vote(ts(10), BOB, ts(21), author=ALICE, name="+1::skin-tone-3"),  # a retry
        vote(ts(10), CAROL, ts(22), author=ALICE),
        vote(ts(11), BOB, ts(23), author=CAROL),
    )
    assert votes(sessions, round_id) == {ts(10): [BOB, CAROL], ts(11): [BOB]}
    with sessions.begin() as session:
        assert session.scalar(select(func.count()).select_from(Vote)) == 3


def test_the_channels_vote_emoji_is_the_one_counted(sessions: Sessions) -> None:
    with sessions.begin() as session:
        channel_store.save_schedule(
            session,
            TEAM,
            CHANNEL,
            post_time="09:30",
            timezone="UTC",
            days="weekdays",
            vote_emoji="star",
            paused=False,
            updated_at=NOW,
        )
    round_id = open_round(sessions)
    apply(sessions, reply(ts(10), "answer", user=ALICE))
    outcomes = apply(
        sessions,
        vote(ts(10), BOB, ts(20), author=ALICE, name="+1"),
        vote(ts(10), CAROL, ts(21), author=ALICE, name="star"),
    )
    assert outcomes == ["ignored: not the vote emoji", "vote stored"]
    assert votes(sessions, round_id) == {ts(10): [CAROL]}


# -- the inbox ---------------------------------------------------------------------------------


def envelope(event_id: str, event: dict[str, Any], team: str = TEAM) -> dict[str, Any]:
    return {
        "type": "event_callback",
        "team_id": team,
        "event_id": event_id,
        "event_time": 1768208460,
        "event": event,
    }


def test_inbox_dedupes_a_retried_event_and_applies_it_once(sessions: Sessions) -> None:
    round_id = open_round(sessions)
    inbox = Inbox(sessions, now=lambda: NOW)
    body = envelope("Ev01", reply(ts(10), "answer"))

    assert inbox.receive(body) is True
    # Slack retries before we processed it: still to be processed, so not dropped.
    assert inbox.receive(body) is True
    assert inbox.process("Ev01") == "answer stored"
    # Once processed, a retry is a duplicate to drop, and processing again does nothing.
    assert inbox.receive(body) is False
    assert inbox.process("Ev01") is None

    assert counted(sessions, round_id) == {ts(10): "answer"}
    with sessions.begin() as session:
        stored = session.scalars(select(InboxEvent)).all()
        assert [(e.event_id, e.attempts, e.processed_at) for e in stored] == [("Ev01", 1, NOW)]


def test_inbox_drain_applies_what_was_stored_but_not_processed(sessions: Sessions) -> None:
    round_id = open_round(sessions)
    received = NOW
    inbox = Inbox(sessions, now=lambda: received)
    inbox.receive(envelope("Ev01", reply(ts(10), "alice's", user=ALICE)))
    inbox.receive(envelope("Ev02", reply(ts(11), "carol's", user=CAROL)))
    inbox.receive(envelope("Ev03", vote(ts(10), BOB, ts(20), author=ALICE)))
    inbox.receive(envelope("Ev04", {"type": "app_home_opened", "user": BOB}))  # not stored

    # The clock only retries events older than a minute: these are too fresh.
    assert inbox.drain(received_before=received) == 0
    assert counted(sessions, round_id) == {}

    assert inbox.drain(received_before=received + timedelta(minutes=1)) == 3
    assert counted(sessions, round_id) == {ts(10): "alice's", ts(11): "carol's"}
    assert votes(sessions, round_id) == {ts(10): [BOB], ts(11): []}
    assert inbox.drain() == 0


def test_inbox_gives_up_on_an_event_that_keeps_failing(sessions: Sessions) -> None:
    inbox = Inbox(sessions, now=lambda: NOW)
    broken = reply(ts(10), "a thread that is not a ts")
    broken["thread_ts"] = {"ts": QUESTION_TS}  # no query takes that
    inbox.receive(envelope("EvBAD", broken))

    for _ in range(MAX_ATTEMPTS + 2):
        assert inbox.drain() == 0
    with sessions.begin() as session:
        stored = session.get_one(InboxEvent, "EvBAD")
        assert stored.attempts == MAX_ATTEMPTS
        assert stored.processed_at is None
        assert stored.error is not None
        assert stored.payload == TRIMMED  # what a retry check needs: the id and the error


def test_a_given_up_event_keeps_nothing_of_what_was_written(sessions: Sessions) -> None:
    inbox = Inbox(sessions, now=lambda: NOW)
    broken = reply(ts(10), "alice-secret-answer", user=ALICE)
    broken["thread_ts"] = {"ts": QUESTION_TS}  # no query takes that
    inbox.receive(envelope("EvBAD", broken))
    for _ in range(MAX_ATTEMPTS - 1):
        inbox.drain()
    with sessions.begin() as session:  # still being retried: the payload is needed
        assert "alice-secret-answer" in session.get_one(InboxEvent, "EvBAD").payload

    inbox.drain()  # the last attempt

    with sessions.begin() as session:
        row = session.execute(select(InboxEvent.__table__)).one()._asdict()
    assert row["event_id"] == "EvBAD" and row["attempts"] == GIVE_UP_AFTER == MAX_ATTEMPTS
    assert row["payload"] == TRIMMED
    assert not [column for column, value in row.items() if "alice-secret-answer" in str(value)]
    assert not [column for column, value in row.items() if ALICE in str(value)]


def test_given_up_events_are_pruned_like_applied_ones(sessions: Sessions) -> None:
    clock = {"now": NOW - timedelta(days=8)}
    inbox = Inbox(sessions, now=lambda: clock["now"])
    broken = reply(ts(10), "a thread that is not a ts")
    broken["thread_ts"] = {"ts": QUESTION_TS}
    inbox.receive(envelope("EvOldBAD", broken))
    inbox.receive(envelope("EvOldFailing", {**broken, "ts": ts(11)}))
    for _ in range(MAX_ATTEMPTS):
        inbox.process("EvOldBAD")
    inbox.process("EvOldFailing")  # failed once: still retried, so kept
    clock["now"] = NOW
    inbox.receive(envelope("EvNewBAD", {**broken, "ts": ts(12)}))
    for _ in range(MAX_ATTEMPTS):
        inbox.process("EvNewBAD")

    assert inbox.prune(NOW) == 1
    with sessions.begin() as session:
        left = set(session.scalars(select(InboxEvent.event_id)))
    assert left == {"EvOldFailing", "EvNewBAD"}


# -- time zones --------------------------------------------------------------------------------


def test_datetimes_come_back_aware_in_utc(sessions: Sessions) -> None:
    berlin = datetime(2026, 7, 1, 9, 30, 15, 123456, tzinfo=ZoneInfo("Europe/Berlin"))
    tokyo = datetime(2026, 7, 1, 23, 59, 59, 999999, tzinfo=ZoneInfo("Asia/Tokyo"))
    with sessions.begin() as session:
        round_id = round_store.claim_round(
            session,
            team_id=TEAM,
            channel_id=CHANNEL,
            local_date=date(2026, 7, 1),
            sequence=0,
            question_id="q",
            now=berlin,
        )
        rnd = session.get_one(Round, round_id)
        rnd.reveal_at = tokyo

    with sessions.begin() as session:  # a new session: values read back from the database
        rnd = session.get_one(Round, round_id)
        assert rnd.claimed_at == berlin
        assert rnd.claimed_at.tzinfo is UTC
        assert rnd.claimed_at == datetime(2026, 7, 1, 7, 30, 15, 123456, tzinfo=UTC)
        assert rnd.reveal_at is not None and rnd.reveal_at.tzinfo is UTC
        assert rnd.reveal_at == datetime(2026, 7, 1, 14, 59, 59, 999999, tzinfo=UTC)
        assert rnd.posted_at is None


def test_instants_compare_correctly_whatever_zone_they_are_given_in(sessions: Sessions) -> None:
    round_id = open_round(sessions)  # reveal_at 15:00 UTC = 16:00 in Berlin
    berlin = ZoneInfo("Europe/Berlin")
    with sessions.begin() as session:
        just_before = datetime(2026, 1, 12, 15, 59, 59, tzinfo=berlin)
        assert round_store.due_reveals(session, just_before) == []
        at_reveal = datetime(2026, 1, 12, 16, 0, tzinfo=berlin)
        assert [r.id for r in round_store.due_reveals(session, at_reveal)] == [round_id]


def test_naive_datetimes_are_refused(sessions: Sessions) -> None:
    with sessions.begin() as session, pytest.raises(StatementError, match="naive datetime"):
        round_store.claim_round(
            session,
            team_id=TEAM,
            channel_id=CHANNEL,
            local_date=date(2026, 1, 12),
            sequence=0,
            question_id="q",
            now=datetime(2026, 1, 12, 9, 0),
        )


# -- claims ------------------------------------------------------------------------------------


def claim(
    sessions: Sessions,
    *,
    team: str = TEAM,
    channel: str = CHANNEL,
    day: date = date(2026, 1, 12),
    sequence: int = 0,
    status: RoundStatus = RoundStatus.CLAIMED,
) -> int | None:
    with sessions.begin() as session:
        return round_store.claim_round(
            session,
            team_id=team,
            channel_id=channel,
            local_date=day,
            sequence=sequence,
            question_id="q",
            now=NOW,
            status=status,
        )


def test_a_round_slot_is_claimed_once(sessions: Sessions) -> None:
    first = claim(sessions)
    assert first is not None
    assert claim(sessions) is None
    assert claim(sessions, status=RoundStatus.SKIPPED) is None
    # Every other slot is free.
    others = [
        claim(sessions, sequence=1),
        claim(sessions, day=date(2026, 1, 13)),
        claim(sessions, channel="C2"),
        claim(sessions, team=OTHER_TEAM),
    ]
    assert None not in others
    assert len({first, *others}) == 5
    with sessions.begin() as session:
        assert session.scalar(select(func.count()).select_from(Round)) == 5


def test_a_skipped_day_blocks_a_late_post(sessions: Sessions) -> None:
    assert claim(sessions, status=RoundStatus.SKIPPED) is not None
    assert claim(sessions) is None


def test_reveal_is_claimed_once(sessions: Sessions) -> None:
    round_id = open_round(sessions)
    with sessions.begin() as session:
        assert round_store.claim_reveal(session, round_id, NOW) is True
    with sessions.begin() as session:
        assert round_store.claim_reveal(session, round_id, NOW) is False
        assert session.get_one(Round, round_id).status == "revealed"


# -- team scoping ------------------------------------------------------------------------------


def test_the_same_channel_id_in_two_workspaces_does_not_collide(sessions: Sessions) -> None:
    channels = ChannelService(sessions)
    channels.subscribe(TEAM, CHANNEL, parse_schedule(["09:30", "Europe/Berlin"], "UTC"), ALICE, NOW)
    channels.subscribe(
        OTHER_TEAM, CHANNEL, parse_schedule(["07:00", "Asia/Tokyo"], "UTC"), BOB, NOW
    )
    mine = open_round(sessions, team=TEAM)
    theirs = open_round(sessions, team=OTHER_TEAM)  # same channel, date and message ts
    assert mine != theirs

    # The same reply ts in both workspaces: two answers, each in its own round.
    apply(sessions, reply(ts(10), "T1 answer", user=ALICE), team=TEAM)
    apply(sessions, reply(ts(10), "T2 answer", user=BOB), team=OTHER_TEAM)
    apply(sessions, edit(ts(10), "T1 answer, edited", ts(15), user=ALICE), team=TEAM)
    apply(sessions, vote(ts(10), CAROL, ts(20), author=ALICE), team=TEAM)

    assert counted(sessions, mine) == {ts(10): "T1 answer, edited"}
    assert counted(sessions, theirs) == {ts(10): "T2 answer"}
    assert votes(sessions, mine) == {ts(10): [CAROL]}
    assert votes(sessions, theirs) == {ts(10): []}

    apply(sessions, delete(ts(10), ts(30), user=BOB), team=OTHER_TEAM)
    assert counted(sessions, mine) == {ts(10): "T1 answer, edited"}
    assert counted(sessions, theirs) == {}

    def timezones(team: str) -> list[str | None]:
        return [s.timezone if s is not None else None for _, s, _ in channels.all_for_team(team)]

    assert timezones(TEAM) == ["Europe/Berlin"]
    assert timezones(OTHER_TEAM) == ["Asia/Tokyo"]
    channels.set_paused(OTHER_TEAM, CHANNEL, True, BOB, NOW)
    assert channels.schedule(TEAM, CHANNEL)[1] is False
    assert channels.schedule(OTHER_TEAM, CHANNEL)[1] is True

    with sessions.begin() as session:
        by_message = round_store.round_by_message(session, TEAM, CHANNEL, QUESTION_TS)
        assert by_message is not None and by_message.id == mine
        by_message = round_store.round_by_message(session, OTHER_TEAM, CHANNEL, QUESTION_TS)
        assert by_message is not None and by_message.id == theirs
        still_open = round_store.open_round(session, TEAM, CHANNEL)
        assert still_open is not None and still_open.id == mine
        assert round_store.question_history(session, OTHER_TEAM, CHANNEL) == ["sql-vs-nosql"]
        assert session.scalar(select(func.count()).select_from(ChannelSchedule)) == 2


def test_inbox_events_apply_to_their_own_workspace(sessions: Sessions) -> None:
    mine = open_round(sessions, team=TEAM)
    theirs = open_round(sessions, team=OTHER_TEAM)
    inbox = Inbox(sessions, now=lambda: NOW)
    inbox.receive(envelope("Ev01", reply(ts(10), "T2 answer", user=BOB), team=OTHER_TEAM))
    assert inbox.drain() == 1
    assert counted(sessions, mine) == {}
    assert counted(sessions, theirs) == {ts(10): "T2 answer"}


# -- schedules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "09:30 Europe/Berlin weekdays reveal 16:00 holidays DE-BY",
        "07:05 America/New_York daily reveal-after 1h30m categories databases,security",
        "23:55 Asia/Tokyo",
    ],
)
def test_a_schedule_reads_back_as_it_was_saved(sessions: Sessions, text: str) -> None:
    schedule = parse_schedule(text.split(), "UTC", ("databases", "security"))
    channels = ChannelService(sessions)
    channels.subscribe(TEAM, CHANNEL, schedule, ALICE, NOW)
    assert channels.schedule(TEAM, CHANNEL) == (schedule, False)
    with sessions.begin() as session:
        row = channel_store.get_schedule(session, TEAM, CHANNEL)
        assert row is not None
        assert (row.updated_by, row.updated_at, row.vote_emoji) == (ALICE, NOW, "+1")


# -- schema ------------------------------------------------------------------------------------


def test_the_models_match_the_migrations(database_url: str) -> None:
    """The Alembic env sees every model module, and no model changed without a migration:
    autogenerate finds nothing to do on a freshly migrated database."""
    engine = make_engine(database_url)
    try:
        command.check(alembic_config(engine))  # raises AutogenerateDiffsDetected on drift
    finally:
        engine.dispose()
