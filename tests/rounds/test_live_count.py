"""The question message keeps a live "N answered so far, reveal at 16:00", blind rounds too. The
clock refreshes it; an answer never calls Slack to update it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.channels.service import ChannelService
from bot.rounds.answers import apply_event
from bot.rounds.blind import BlindAnswers
from bot.rounds.service import RoundService
from bot.sandbox.fake_slack import FakeSlack
from storage.rounds import Round
from storage.states import AnswerMode
from tests.helpers import (
    ADMIN,
    CAROL,
    CHANNEL,
    LEAD,
    NOW,
    TEAM,
    Sessions,
    UIs,
    berlin,
    client_for,
    invocation,
    make_clock,
    subscribe,
    top_level,
)
from tests.questions.test_ui import VALID, VALID_ID, approve

ALICE, BOB = "UALICE", "UBOB"


def reply(sessions: Sessions, fake: FakeSlack, channel: str, question: str, user: str) -> None:
    event = {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": "my answer",
        "ts": fake.next_ts(),
        "thread_ts": question,
    }
    with sessions.begin() as session:
        apply_event(session, TEAM, event, berlin(2026, 3, 2, 10))


def live_line(message: dict[str, Any]) -> str:
    [line] = [
        element["text"]
        for block in message["blocks"]
        if block["type"] == "context"
        for element in block["elements"]
        if ":busts_in_silhouette:" in element["text"]
    ]
    return str(line)


def test_the_question_shows_who_answered_so_far_refreshed_by_the_clock(
    sessions: Sessions, fake: FakeSlack
) -> None:
    subscribe(sessions, fake, "C1", "09:30 Europe/Berlin daily reveal 16:00", berlin(2026, 3, 2, 8))
    clock = make_clock(sessions, fake)
    clock.tick(berlin(2026, 3, 2, 9, 30))
    [question] = top_level(fake, "C1")
    assert "Nobody answered yet, reveal at" in live_line(question)
    assert "16:00 Europe/Berlin" in live_line(question)

    reply(sessions, fake, "C1", question["ts"], ALICE)
    reply(sessions, fake, "C1", question["ts"], BOB)
    reply(sessions, fake, "C1", question["ts"], ALICE)  # a second reply: still one person
    assert fake.calls("chat.update") == []  # answers don't touch the question

    assert clock.rounds.refresh_counts(berlin(2026, 3, 2, 10)) != []
    [update] = fake.calls("chat.update")
    assert update.args["ts"] == question["ts"]
    shown = fake.find_message("C1", question["ts"])
    assert shown is not None
    assert "2 answered so far, reveal at" in live_line(shown)
    assert "16:00 Europe/Berlin" in live_line(shown)
    assert "<@" not in str(shown["blocks"])

    # Nothing changed: no call to Slack.
    assert clock.rounds.refresh_counts(berlin(2026, 3, 2, 10, 1)) == []
    assert len(fake.calls("chat.update")) == 1


def test_a_refused_update_is_tried_again_next_pass(sessions: Sessions, fake: FakeSlack) -> None:
    subscribe(sessions, fake, "C1", "09:30 Europe/Berlin daily reveal 16:00", berlin(2026, 3, 2, 8))
    clock = make_clock(sessions, fake)
    clock.tick(berlin(2026, 3, 2, 9, 30))
    [question] = top_level(fake, "C1")
    reply(sessions, fake, "C1", question["ts"], ALICE)

    fake.fail_next("chat.update", "message_not_found")
    assert clock.rounds.refresh_counts(berlin(2026, 3, 2, 10)) == []
    assert "Nobody answered yet" in live_line(top_level(fake, "C1")[0])

    assert clock.rounds.refresh_counts(berlin(2026, 3, 2, 10, 1)) != []
    assert "1 answered so far" in live_line(top_level(fake, "C1")[0])


def test_a_blind_round_counts_its_private_answers(sessions: Sessions, fake: FakeSlack) -> None:
    subscribe(sessions, fake, "C2", "09:30 Europe/Berlin daily reveal 16:00", berlin(2026, 3, 2, 8))
    ChannelService(sessions).set_mode(TEAM, "C2", AnswerMode.BLIND, ADMIN, berlin(2026, 3, 2, 8))
    clock = make_clock(sessions, fake)
    clock.tick(berlin(2026, 3, 2, 9, 30))
    [question] = top_level(fake, "C2")
    with sessions.begin() as session:
        round_id = session.scalars(select(Round.id).where(Round.channel_id == "C2")).one()
    blind = BlindAnswers(sessions, client_for(fake))
    blind.submit(TEAM, round_id, ALICE, "my secret plan", berlin(2026, 3, 2, 10))
    blind.submit(TEAM, round_id, ALICE, "changed my mind", berlin(2026, 3, 2, 10, 5))
    blind.submit(TEAM, round_id, BOB, "mine", berlin(2026, 3, 2, 10, 6))

    clock.rounds.refresh_counts(berlin(2026, 3, 2, 10, 7))

    shown = fake.find_message("C2", question["ts"])
    assert shown is not None and "2 answered so far" in live_line(shown)
    assert "secret" not in str(shown["blocks"]) and "mine" not in str(shown["blocks"])


def test_a_revealed_round_is_left_alone(sessions: Sessions, fake: FakeSlack) -> None:
    subscribe(sessions, fake, "C1", "09:30 Europe/Berlin daily reveal 16:00", berlin(2026, 3, 2, 8))
    clock = make_clock(sessions, fake)
    clock.tick(berlin(2026, 3, 2, 9, 30))
    [question] = top_level(fake, "C1")
    reply(sessions, fake, "C1", question["ts"], ALICE)
    clock.tick(berlin(2026, 3, 2, 16, 0))  # the reveal closes the question
    updates = len(fake.calls("chat.update"))

    assert clock.rounds.refresh_counts(berlin(2026, 3, 2, 16, 1)) == []
    assert len(fake.calls("chat.update")) == updates
    closed = fake.find_message("C1", question["ts"])
    assert closed is not None and "(closed)" in closed["text"]


def test_the_clock_runs_the_refresh_as_its_own_job(sessions: Sessions, fake: FakeSlack) -> None:
    subscribe(sessions, fake, "C1", "09:30 Europe/Berlin daily reveal 16:00", berlin(2026, 3, 2, 8))
    clock = make_clock(sessions, fake)
    clock.tick(berlin(2026, 3, 2, 9, 30))
    [question] = top_level(fake, "C1")
    reply(sessions, fake, "C1", question["ts"], ALICE)
    clock.now = lambda: berlin(2026, 3, 2, 10)

    fake.fail_next("chat.update", "internal_error", status=500, times=5)
    clock.refresh_counts()  # Slack down: logged, nothing raised
    clock.refresh_counts()

    assert "1 answered so far" in live_line(top_level(fake, "C1")[0])


def credit_line(message: dict[str, Any]) -> str:
    """The context line under the header: category, difficulty and who to credit."""
    [context, *_] = [b for b in message["blocks"] if b["type"] == "context"]
    return str(context["elements"][0]["text"])


def answer_and_refresh(
    sessions: Sessions, uis: UIs, question: dict[str, Any], user: str
) -> dict[str, Any]:
    """`user` answers in the thread, the clock refreshes the count: the question as Slack has it."""
    answered = NOW + timedelta(minutes=5)
    event = {
        "type": "message",
        "channel": CHANNEL,
        "user": user,
        "text": "my answer",
        "ts": uis.fake.next_ts(),
        "thread_ts": question["ts"],
    }
    with sessions.begin() as session:
        apply_event(session, TEAM, event, answered)
    updates = len(uis.fake.calls("chat.update"))
    rounds = RoundService(sessions, uis.library, client_for(uis.fake))
    assert rounds.refresh_counts(answered) != []
    assert len(uis.fake.calls("chat.update")) == updates + 1
    shown = uis.fake.find_message(CHANNEL, question["ts"])
    assert shown is not None and "1 answered so far" in live_line(shown)
    return shown


def test_the_count_keeps_who_posted_a_practice_question_and_who_added_it(
    sessions: Sessions, uis: UIs
) -> None:
    assert uis.questions.submit_question(TEAM, ALICE, VALID, NOW) is None
    approve(uis)
    uis.rounds.post_practice(TEAM, CHANNEL, BOB, VALID_ID, NOW)
    [question] = top_level(uis.fake)
    credits = f"posted by <@{BOB}> · a team question added by <@{ALICE}>"
    assert credits in credit_line(question)

    shown = answer_and_refresh(sessions, uis, question, CAROL)

    assert credits in credit_line(shown)


def test_the_count_keeps_who_posted_a_bank_question_for_practice(
    sessions: Sessions, uis: UIs
) -> None:
    uis.rounds.post_practice(TEAM, CHANNEL, BOB, "sql-vs-nosql", NOW)
    [question] = top_level(uis.fake)

    shown = answer_and_refresh(sessions, uis, question, CAROL)

    assert credit_line(shown).endswith(f" · posted by <@{BOB}>")


def test_the_count_keeps_who_added_the_days_team_question(sessions: Sessions, uis: UIs) -> None:
    assert uis.questions.submit_question(TEAM, ALICE, VALID, NOW) is None
    approve(uis)
    started = uis.slash.run(invocation(LEAD, "now incident-response"), NOW)
    assert started.text.startswith("Posted: "), started.text
    [question] = top_level(uis.fake)
    assert credit_line(question).endswith(f" · a team question added by <@{ALICE}>")

    shown = answer_and_refresh(sessions, uis, question, CAROL)

    # `/interview now` is not a practice post: who started it is not credited, before or after.
    assert credit_line(shown).endswith(f" · a team question added by <@{ALICE}>")
    assert f"<@{LEAD}>" not in str(shown["blocks"])
