"""A blind round: private answers through a modal, "N answers so far" in the thread, all answers
posted (escaped, split to fit) at the reveal, then votes on them as in open mode."""

from __future__ import annotations

import json

from bot.rounds import render as rounds_render
from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from tests.e2e.conftest import ADMIN, ALICE, BOB, CAROL, CHANNEL, BotProcess, eventually

DANGEROUS = "Use <!channel> and <!here>, ask <@UBOB>, see <https://evil.example|our docs> & co"
LONG = " ".join(f"word{i:05d}" for i in range(1100))  # 10,999 characters


def click_answer(slack: SlackDriver, fake: FakeSlack, user: str, round_id: str) -> dict:
    before = len(fake.calls("views.open"))
    slack.action(
        {
            "type": "block_actions",
            "user": user,
            "channel": {"id": CHANNEL},
            "container": {"type": "message", "channel_id": CHANNEL},
            "actions": [
                {"action_id": rounds_render.ANSWER_BUTTON, "value": round_id, "type": "button"}
            ],
        }
    )
    opened = eventually(lambda: fake.calls("views.open")[before:])
    view = opened[0].args["view"]
    return json.loads(view) if isinstance(view, str) else view


def submit(slack: SlackDriver, user: str, view: dict, text: str) -> dict:
    block, action = rounds_render.ANSWER_INPUT
    response = slack.view_submission(
        {
            "user": user,
            "view": {
                "id": "V1",
                "type": "modal",
                "callback_id": view["callback_id"],
                "private_metadata": view["private_metadata"],
                "state": {"values": {block: {action: {"type": "plain_text_input", "value": text}}}},
            },
        }
    )
    assert response.status == 200
    return response.json() if response.body.strip() else {}


def counter_text(fake: FakeSlack, question_ts: str) -> str:
    thread = [m for m in fake.messages(CHANNEL) if m.get("thread_ts") == question_ts]
    return thread[0]["text"] if thread else ""


def test_blind_round(bot: BotProcess, slack: SlackDriver, fake: FakeSlack) -> None:
    slack.command("mode blind", user=ADMIN, channel=CHANNEL)
    eventually(lambda: fake.calls("response_url"))
    assert "blind answers" in fake.calls("response_url")[-1].args["text"]
    slack.command("now", user=ADMIN, channel=CHANNEL)
    [post] = eventually(lambda: fake.calls("chat.postMessage")[:1])
    assert post.response is not None
    question_ts = post.response["ts"]
    buttons = [e for b in post.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    [answer_button] = [b for b in buttons if b["action_id"] == rounds_render.ANSWER_BUTTON]
    round_id = answer_button["value"]
    eventually(lambda: counter_text(fake, question_ts) == "No answers yet")

    # Alice answers privately; the thread only shows the count.
    view = click_answer(slack, fake, ALICE, round_id)
    assert submit(slack, ALICE, view, "first thought") == {}
    eventually(lambda: counter_text(fake, question_ts) == "1 answer so far")
    # She changes her mind: the form shows her answer, the count stays.
    view = click_answer(slack, fake, ALICE, round_id)
    assert "first thought" in json.dumps(view)
    assert submit(slack, ALICE, view, DANGEROUS) == {}
    view = click_answer(slack, fake, BOB, round_id)
    assert submit(slack, BOB, view, "   ") == {
        "response_action": "errors",
        "errors": {"answer": "Write an answer first."},
    }
    assert submit(slack, BOB, view, LONG) == {}
    eventually(lambda: counter_text(fake, question_ts) == "2 answers so far")
    # A thread reply is not an answer in blind mode.
    slack.reply(CHANNEL, question_ts, "I'll just say it here", user=CAROL)
    eventually(lambda: "outcome=ignored: blind round" in bot.logs())
    assert all(a["text"] != "I'll just say it here" for a in bot.export()["rounds"][0]["answers"])
    assert not any(DANGEROUS in json.dumps(c.args) for c in fake.calls("chat.postMessage"))

    slack.command("reveal", user=ADMIN, channel=CHANNEL)
    eventually(lambda: any("The reveal" in c.args["text"] for c in fake.calls("chat.postMessage")))
    in_thread = [
        c for c in fake.calls("chat.postMessage") if c.args.get("thread_ts") == question_ts
    ]
    posted_answers = [c for c in in_thread if c.args["text"].startswith("Answer from")]
    assert [c.args["text"].split(":")[0] for c in posted_answers] == [
        f"Answer from <@{ALICE}>",
        f"Answer from <@{BOB}>",
    ]
    reveal = in_thread[-1]
    assert "The reveal" in reveal.args["text"] and "2 people answered" in reveal.args["text"]
    assert in_thread.index(reveal) > in_thread.index(posted_answers[-1])  # answers, then reveal

    # Escaped: nothing in an answer pings anyone or forges a link.
    alice = json.dumps(posted_answers[0].args)
    for live in ("<!channel>", "<!here>", "<@UBOB>", "<https://evil.example|our docs>"):
        assert live not in alice
    assert "&lt;!channel&gt;" in alice and "&amp; co" in alice
    # The 10,999-character answer is split into sections Slack accepts, none of it lost.
    bob_blocks = (
        json.loads(posted_answers[1].args["blocks"])
        if isinstance(posted_answers[1].args["blocks"], str)
        else posted_answers[1].args["blocks"]
    )
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
    slack.action(
        {
            "type": "block_actions",
            "user": CAROL,
            "channel": {"id": CHANNEL},
            "container": {"type": "message", "channel_id": CHANNEL, "message_ts": question_ts},
            "actions": [
                {"action_id": rounds_render.ANSWER_BUTTON, "value": round_id, "type": "button"}
            ],
        }
    )
    eventually(
        lambda: any(
            "answers are closed" in c.args.get("text", "") for c in fake.calls("response_url")
        )
    )
    assert submit(slack, CAROL, view, "too late")["errors"]["answer"].endswith(
        "answers are closed."
    )
