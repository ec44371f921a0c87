"""A blind round: private answers through a modal, "N answers so far" in the thread, all answers
posted (escaped, split to fit) at the reveal, then votes on them as in open mode."""

from __future__ import annotations

import json
from typing import Any

from bot.rounds import render as rounds_render
from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.process import ADMIN, ALICE, BOB, CAROL, CHANNEL, BotProcess
from tests.helpers import (
    as_json,
    button_value,
    click,
    click_for_modal,
    eventually,
    in_thread,
    last_response,
    submitted,
)

DANGEROUS = "Use <!channel> and <!here>, ask <@UBOB>, see <https://evil.example|our docs> & co"
LONG = " ".join(f"word{i:05d}" for i in range(1100))  # 10,999 characters


def click_answer(slack: SlackDriver, fake: FakeSlack, user: str, round_id: str) -> dict[str, Any]:
    """`user` presses the question's Answer button; the modal it opens."""
    return click_for_modal(slack, fake, rounds_render.ANSWER_BUTTON, round_id, user=user)


def submit_answer(slack: SlackDriver, user: str, view: dict[str, Any], text: str) -> dict[str, Any]:
    """`user` submits the answer modal with `text`; what the bot answered."""
    block, action = rounds_render.ANSWER_INPUT
    values = {block: {action: {"type": "plain_text_input", "value": text}}}
    return submitted(slack, view, values, user=user)


def counter_text(fake: FakeSlack, question_ts: str) -> str:
    thread = in_thread(fake, question_ts)
    return thread[0]["text"] if thread else ""


def test_blind_round(bot: BotProcess, slack: SlackDriver, fake: FakeSlack) -> None:
    slack.command("mode blind", user=ADMIN, channel=CHANNEL)
    assert "blind answers" in last_response(fake)
    slack.command("now", user=ADMIN, channel=CHANNEL)
    [post] = eventually(lambda: fake.calls("chat.postMessage")[:1])
    assert post.response is not None
    question_ts = post.response["ts"]
    round_id = button_value(post.args, rounds_render.ANSWER_BUTTON)
    eventually(lambda: counter_text(fake, question_ts) == "No answers yet")

    # Alice answers privately; the thread only shows the count.
    view = click_answer(slack, fake, ALICE, round_id)
    assert submit_answer(slack, ALICE, view, "first thought") == {}
    eventually(lambda: counter_text(fake, question_ts) == "1 answer so far")
    # She changes her mind: the form shows her answer, the count stays.
    view = click_answer(slack, fake, ALICE, round_id)
    assert "first thought" in json.dumps(view)
    assert submit_answer(slack, ALICE, view, DANGEROUS) == {}
    view = click_answer(slack, fake, BOB, round_id)
    assert submit_answer(slack, BOB, view, "   ") == {
        "response_action": "errors",
        "errors": {"answer": "Write an answer first."},
    }
    assert submit_answer(slack, BOB, view, LONG) == {}
    eventually(lambda: counter_text(fake, question_ts) == "2 answers so far")
    # A thread reply is not an answer in blind mode; its author is told (only) how to answer.
    slack.reply(CHANNEL, question_ts, "I'll just say it here", user=CAROL)
    eventually(lambda: "outcome=ignored: blind round" in bot.logs())
    hint = eventually(
        lambda: [e for e in fake.ephemerals(CHANNEL, CAROL) if "*blind*" in e["text"]]
    )
    assert "Press *Answer*" in hint[0]["text"]
    assert all(a["text"] != "I'll just say it here" for a in bot.export()["rounds"][0]["answers"])
    assert not any(DANGEROUS in json.dumps(c.args) for c in fake.calls("chat.postMessage"))

    slack.command("reveal", user=ADMIN, channel=CHANNEL)
    eventually(lambda: any("The reveal" in c.args["text"] for c in fake.calls("chat.postMessage")))
    replies = [c for c in fake.calls("chat.postMessage") if c.args.get("thread_ts") == question_ts]
    posted_answers = [c for c in replies if c.args["text"].startswith("Answer from")]
    # Posted with plain names (a mention in a new message notifies), then the mentions are
    # edited in.
    assert [c.args["text"].split(":")[0] for c in posted_answers] == [
        "Answer from alice",
        "Answer from bob",
    ]
    for call, user in zip(posted_answers, (ALICE, BOB), strict=True):
        shown = fake.find_message(CHANNEL, (call.response or {})["ts"])
        assert shown is not None and shown["text"].startswith(f"Answer from <@{user}>")
    reveal = replies[-1]
    assert "The reveal" in reveal.args["text"] and "2 people answered" in reveal.args["text"]
    assert replies.index(reveal) > replies.index(posted_answers[-1])  # answers, then reveal

    # Escaped: nothing in an answer pings anyone or forges a link.
    alice = json.dumps(posted_answers[0].args)
    for live in ("<!channel>", "<!here>", "<@UBOB>", "<https://evil.example|our docs>"):
        assert live not in alice
    assert "&lt;!channel&gt;" in alice and "&amp; co" in alice
    # The 10,999-character answer is split into sections Slack accepts, none of it lost.
    bob_blocks = as_json(posted_answers[1].args["blocks"])
    sections = [b["text"]["text"] for b in bob_blocks if b["type"] == "section"]
    assert len(bob_blocks) <= 50 and all(len(s) <= 3000 for s in sections)
    assert "".join(sections).count("word") == 1100 and "word01099" in sections[-1]
    assert posted_answers[1].status == 200

    # Votes work on the posted answers; the author's own reaction is not a vote.
    alice_response = posted_answers[0].response
    assert alice_response is not None
    alice_ts = alice_response["ts"]
    slack.react(CHANNEL, alice_ts, "+1", user=CAROL, item_user="UBOT")
    slack.react(CHANNEL, alice_ts, "+1", user=ALICE, item_user="UBOT")

    def alice_votes() -> list[str]:
        answers = bot.export()["rounds"][0]["answers"]
        return next(a["votes"] for a in answers if a["user"] == ALICE)

    eventually(lambda: alice_votes() == [CAROL])
    exported = bot.export()["rounds"][0]
    assert {a["user"]: a["text"] for a in exported["answers"]} == {ALICE: DANGEROUS, BOB: LONG}

    # After the reveal, answering is closed.
    click(slack, fake, rounds_render.ANSWER_BUTTON, round_id, user=CAROL, message_ts=question_ts)
    eventually(
        lambda: any(
            "answers are closed" in c.args.get("text", "") for c in fake.calls("response_url")
        )
    )
    assert submit_answer(slack, CAROL, view, "too late")["errors"]["answer"].endswith(
        "answers are closed."
    )
