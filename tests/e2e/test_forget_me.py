"""`/interview forget-me` through the real bot process: it asks first, Cancel keeps everything, a
confirm button someone else replays forgets only them, and after Alice confirms no table of the
bot's database and nothing `python -m bot export` writes holds her id or her words."""

from __future__ import annotations

from typing import Any

from sqlalchemy import MetaData, String, Table, func, inspect, select

from bot.privacy import render
from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.process import BotProcess
from storage.db import make_engine
from tests.helpers import (
    ADMIN,
    ALICE,
    BOB,
    CHANNEL,
    as_json,
    button_value,
    click_and_wait,
    eventually,
    run,
    top_level,
)

ALICE_SAYS, BOB_SAYS = "alice-e2e-answer about consistent hashing", "bob-e2e-answer about queues"


def holding(db_url: str, needle: str) -> list[str]:
    """Every `table.column` among the string columns of every table that holds `needle`."""
    engine = make_engine(db_url)
    found = []
    try:
        with engine.connect() as conn:
            for name in inspect(conn).get_table_names():
                table = Table(name, MetaData(), autoload_with=conn)
                for col in table.columns:
                    if isinstance(col.type, String):
                        query = select(func.count()).select_from(table).where(col.contains(needle))
                        if conn.execute(query).scalar():
                            found.append(f"{name}.{col.name}")
    finally:
        engine.dispose()
    return sorted(found)


def answers(bot: BotProcess) -> list[dict[str, Any]]:
    [rnd] = bot.export()["rounds"]
    found: list[dict[str, Any]] = rnd["answers"]
    return found


def test_forget_me_asks_then_deletes_only_the_presser(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    run(slack, fake, "now", user=ADMIN)
    [question] = top_level(fake)
    alice_ts, _ = slack.reply(CHANNEL, question["ts"], ALICE_SAYS, user=ALICE)
    bob_ts, _ = slack.reply(CHANNEL, question["ts"], BOB_SAYS, user=BOB)
    slack.react(CHANNEL, alice_ts, "+1", user=BOB, item_user=ALICE)
    slack.react(CHANNEL, bob_ts, "+1", user=ALICE, item_user=BOB)
    eventually(lambda: [len(a["votes"]) for a in answers(bot)] == [1, 1], timeout=20)
    run(slack, fake, "reveal", user=ADMIN)

    asked = run(slack, fake, "forget-me", user=ALICE)
    assert "Delete everything I stored about you" in str(as_json(asked["blocks"]))
    card = {"text": asked["text"], "blocks": as_json(asked["blocks"])}
    value = button_value(card, render.CONFIRM_BUTTON)
    assert {a["user"] for a in answers(bot)} == {ALICE, BOB}  # asking deleted nothing

    cancelled = click_and_wait(slack, fake, render.CANCEL_BUTTON, "cancel", user=ALICE)
    assert cancelled["text"] == render.NOTHING_DELETED
    assert {a["user"] for a in answers(bot)} == {ALICE, BOB}

    # Bob replays Alice's card: his own data goes, hers stays
    replayed = click_and_wait(slack, fake, render.CONFIRM_BUTTON, value, user=BOB)
    assert replayed["text"].startswith("Done: I deleted 1 answer, 1 vote you cast")
    assert [(a["user"], a["votes"]) for a in answers(bot)] == [(ALICE, [])]
    assert holding(bot.db_url, "bob-e2e-answer") == []
    assert holding(bot.db_url, BOB) == []

    done = click_and_wait(slack, fake, render.CONFIRM_BUTTON, value, user=ALICE)
    assert done["text"].startswith("Done: I deleted 1 answer")
    exported = bot.cli("export")
    assert ALICE not in exported and ALICE_SAYS not in exported
    assert answers(bot) == []
    assert holding(bot.db_url, ALICE) == []
    assert holding(bot.db_url, "alice-e2e-answer") == []

    stats = run(slack, fake, "stats", user=ALICE)
    assert "Rounds answered: *0*" in stats["text"]
    assert "Process exited" not in bot.logs() and "Traceback" not in bot.logs()
