"""Practice on demand through the real server: random and ask cards, the sample answer, posting a
practice question to the channel, and the team's own questions added with a modal."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from bot.questions import render as questions_render
from bot.rounds import render as rounds_render
from bot.sandbox.driver import Response, SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.process import ADMIN, ALICE, BOB, CAROL, CHANNEL, LEAD, OUTSIDE, BotProcess
from tests.helpers import (
    BANK,
    as_json,
    click,
    click_and_wait,
    eventually,
    in_thread,
    run,
    submit,
    text_inputs,
    top_level,
)

IDS = {q.id for q in BANK.questions}
SYSTEM_DESIGN = {q.id for q in BANK.questions if q.category == "system-design"}
SENIOR = {q.id for q in BANK.questions if q.difficulty == "senior"}


# -- helpers -----------------------------------------------------------------------------------


def texts(blocks: Any) -> str:
    """Every text in a Block Kit structure, one per line (mrkdwn as written, unescaped)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return "\n".join(found)


def buttons(response: dict[str, Any]) -> dict[str, str]:
    """{action_id: value} of the buttons on a card."""
    return {
        element["action_id"]: element["value"]
        for block in response.get("blocks") or []
        if block["type"] == "actions"
        for element in block["elements"]
    }


def card_question(response: dict[str, Any]) -> str:
    """The question id a practice card is about (the value of its Post button)."""
    return buttons(response)[questions_render.POST_PRACTICE_BUTTON]


def round_for(bot: BotProcess, message_ts: str) -> dict[str, Any]:
    return next(r for r in bot.export()["rounds"] if r["message_ts"] == message_ts)


def post_practice(slack: SlackDriver, fake: FakeSlack, question_id: str, *, user: str) -> str:
    """`/interview ask <id>`, then "Post to channel"; returns the practice question's ts."""
    card = run(slack, fake, f"ask {question_id}", user=user)
    count = len(top_level(fake))
    reply = click_and_wait(
        slack, fake, questions_render.POST_PRACTICE_BUTTON, card_question(card), user=user
    )
    assert reply["text"].startswith("Posted:") and reply["replace_original"] is True
    [post] = eventually(lambda: top_level(fake)[count:])
    return post["ts"]


# -- random ------------------------------------------------------------------------------------


def test_random_card(bot: BotProcess, slack: SlackDriver, fake: FakeSlack) -> None:
    card = run(slack, fake, "random", user=ALICE)
    assert card["response_type"] == "ephemeral"
    question_id = card_question(card)
    assert question_id in IDS
    question = BANK.get(question_id)
    assert question is not None
    assert card["text"] == f"Practice: {question.question}"
    rendered = texts(card["blocks"])
    assert f"`{question_id}`" in rendered and question.question in rendered
    assert buttons(card) == {
        questions_render.SHOW_SAMPLE_BUTTON: question_id,
        questions_render.POST_PRACTICE_BUTTON: question_id,
    }
    # The sample answer stays hidden until asked for; nothing reaches the channel.
    assert question.sample_answer not in rendered
    assert fake.messages(CHANNEL) == [] and fake.calls("chat.postMessage") == []


def test_random_by_category_and_difficulty(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    for _ in range(4):
        card = run(slack, fake, "random system-design", user=ALICE)
        assert card_question(card) in SYSTEM_DESIGN
        assert "*System design*" in texts(card["blocks"])
    for _ in range(4):
        card = run(slack, fake, "random senior", user=BOB)
        assert card_question(card) in SENIOR
        assert "· senior ·" in texts(card["blocks"])
    # Both filters, in either order and any case: only one question is a senior system design one.
    card = run(slack, fake, "random SENIOR System-Design", user=BOB)
    assert card_question(card) == "idempotent-payment-webhook"
    reply = run(slack, fake, "random system-design junior", user=BOB)
    assert "No question matches all of those filters" in reply["text"]
    assert "blocks" not in reply or not reply["blocks"]
    assert fake.messages(CHANNEL) == []


def test_random_typo_suggests_the_category(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    reply = run(slack, fake, "random sytem-design", user=ALICE)
    text = reply["text"]
    assert reply["response_type"] == "ephemeral"
    assert "no category `sytem-design`" in text
    assert "did you mean `system-design`?" in text.lower()
    for category in BANK.categories():
        assert f"`{category}`" in text
    for level in ("junior", "mid", "senior"):
        assert f"`{level}`" in text
    assert not buttons(reply)
    reply = run(slack, fake, "random a b c d", user=ALICE)
    assert reply["text"] == "Usage: `/interview random [category] [difficulty]`"
    assert fake.messages(CHANNEL) == [] and fake.calls("chat.postMessage") == []


# -- the sample answer -------------------------------------------------------------------------


def test_show_sample_answer_only_to_the_asker(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    card = run(slack, fake, "ask cache-invalidation", user=ALICE)
    value = buttons(card)[questions_render.SHOW_SAMPLE_BUTTON]
    assert value == "cache-invalidation"
    reply = click_and_wait(slack, fake, questions_render.SHOW_SAMPLE_BUTTON, value, user=ALICE)
    question = BANK.get("cache-invalidation")
    assert question is not None
    assert reply["replace_original"] is True
    assert reply["response_type"] == "ephemeral"
    rendered = texts(reply["blocks"])
    assert question.rationale in rendered
    assert question.sample_answer in rendered
    assert "What the interviewer is looking for" in rendered and "Sample answer" in rendered
    # The card keeps "Post to channel" and drops the button that was just used.
    assert buttons(reply) == {questions_render.POST_PRACTICE_BUTTON: "cache-invalidation"}
    assert fake.messages(CHANNEL) == []
    [shown] = [e for e in fake.ephemerals(CHANNEL) if question.sample_answer in texts(e)]
    assert shown["user"] == ALICE


# -- practice questions in the channel ---------------------------------------------------------


def test_post_practice_question(bot: BotProcess, slack: SlackDriver, fake: FakeSlack) -> None:
    practice = post_practice(slack, fake, "cache-invalidation", user=ALICE)
    [posted] = fake.calls("chat.postMessage")
    assert posted.args["channel"] == CHANNEL
    assert posted.args["text"].startswith("Practice question (System design): ")
    assert "Interview question of the day" not in posted.args["text"]
    [round_id] = [
        e["value"]
        for b in posted.args["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == rounds_render.REVEAL_BUTTON and e["text"]["text"] == "Reveal now"
    ]

    # Not the daily round: the daily question still goes out.
    reply = run(slack, fake, "now", user=ADMIN)
    assert "I'll reveal the answer" in reply["text"]

    def both_posted() -> list[dict[str, Any]]:
        posts = top_level(fake)
        return posts if len(posts) == 2 else []

    [_, daily] = eventually(both_posted)
    assert "Interview question of the day" in daily["text"]

    bob_ts, _ = slack.reply(CHANNEL, practice, "Cache-aside with TTLs and pub/sub", user=BOB)
    carol_ts, _ = slack.reply(CHANNEL, daily["ts"], "Daily answer", user=CAROL)

    def answers_stored() -> bool:
        assert [a["ts"] for a in round_for(bot, practice)["answers"]] == [bob_ts]
        assert [a["ts"] for a in round_for(bot, daily["ts"])["answers"]] == [carol_ts]
        return True

    eventually(answers_stored)

    # Someone else, not an admin: a polite no, and nothing is revealed.
    refusal = click_and_wait(
        slack, fake, rounds_render.REVEAL_BUTTON, round_id, user=BOB, message_ts=practice
    )
    assert refusal["response_type"] == "ephemeral"
    assert refusal["text"].startswith(  # ALICE posted it; the channel's admins may too
        "Only the person who posted this practice question, or an admin of this channel, can "
        f"reveal it. Ask one of them: <@{ALICE}>"
    )
    assert in_thread(fake, practice) == []
    assert round_for(bot, practice)["revealed_at"] is None

    # The poster reveals it: the reveal goes in its thread, the daily round stays open.
    click(slack, fake, rounds_render.REVEAL_BUTTON, round_id, user=ALICE, message_ts=practice)
    # The question closes after the reveal has its mentions edited in.
    # (The question's own earlier edit put the mention of its poster in.)
    eventually(
        lambda: [
            c
            for c in fake.calls("chat.update")
            if c.args["ts"] == practice and "Practice question (closed)" in c.args["text"]
        ]
    )
    [reveal] = in_thread(fake, practice)
    question = BANK.get("cache-invalidation")
    assert question is not None
    rendered = texts(reveal["blocks"])
    assert "The reveal" in rendered and question.sample_answer in rendered
    assert f"1 person answered:* <@{BOB}>" in rendered
    assert round_for(bot, practice)["revealed_at"] is not None
    assert round_for(bot, daily["ts"])["revealed_at"] is None
    assert in_thread(fake, daily["ts"]) == []

    # Pressing it again on a stale message says so instead of posting a second reveal.
    again = click_and_wait(
        slack, fake, rounds_render.REVEAL_BUTTON, round_id, user=ALICE, message_ts=practice
    )
    assert again["text"] == "This round is already revealed."
    assert len(in_thread(fake, practice)) == 1


def test_admin_may_reveal_someone_elses_practice_question(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    practice = post_practice(slack, fake, "sql-vs-nosql", user=ALICE)
    [round_id] = [
        e["value"]
        for b in fake.calls("chat.postMessage")[0].args["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    responses = len(fake.calls("response_url"))
    click(slack, fake, rounds_render.REVEAL_BUTTON, round_id, user=LEAD, message_ts=practice)
    [reveal] = eventually(lambda: in_thread(fake, practice))
    assert "Nobody answered this time" in texts(reveal["blocks"])
    assert len(fake.calls("response_url")) == responses  # no refusal


def test_post_practice_where_the_bot_is_not_a_member(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    card = run(slack, fake, "random", user=ALICE, channel=OUTSIDE)
    reply = click_and_wait(
        slack,
        fake,
        questions_render.POST_PRACTICE_BUTTON,
        card_question(card),
        user=ALICE,
        channel=OUTSIDE,
    )
    assert "/invite @interview-practice" in reply["text"]
    assert fake.messages(OUTSIDE) == [] and fake.messages(CHANNEL) == []


def test_same_practice_question_is_not_posted_twice(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    post_practice(slack, fake, "cache-invalidation", user=ALICE)
    card = run(slack, fake, "ask cache-invalidation", user=BOB)
    reply = click_and_wait(
        slack, fake, questions_render.POST_PRACTICE_BUTTON, card_question(card), user=BOB
    )
    assert reply["text"] == "That practice question is already open here."
    assert len(top_level(fake)) == 1


# -- categories and ask ------------------------------------------------------------------------


def test_categories_with_counts(bot: BotProcess, slack: SlackDriver, fake: FakeSlack) -> None:
    reply = run(slack, fake, "categories", user=ALICE)
    text = reply["text"]
    assert reply["response_type"] == "ephemeral"
    assert "• `system-design` — 3 questions" in text
    assert "• `security` — 1 question\n" in text
    listed = dict(re.findall(r"• `([a-z-]+)` — (\d+) question", text))
    assert {c: int(n) for c, n in listed.items()} == BANK.categories()
    assert "*Difficulties:* `junior` (4), `mid` (11), `senior` (9)" in text
    assert fake.messages(CHANNEL) == []


def test_ask_shows_that_question(bot: BotProcess, slack: SlackDriver, fake: FakeSlack) -> None:
    question = BANK.get("sql-vs-nosql")
    assert question is not None
    for spelling in ("sql-vs-nosql", "SQL-vs-NoSQL", "`sql-vs-nosql`"):
        card = run(slack, fake, f"ask {spelling}", user=ALICE)
        assert card["response_type"] == "ephemeral"
        assert card_question(card) == "sql-vs-nosql"
        assert card["text"] == f"Practice: {question.question}"
        assert "*Databases* · mid · `sql-vs-nosql`" in texts(card["blocks"])

    reply = run(slack, fake, "ask sql-vs-nosq", user=ALICE)
    assert "There's no question `sql-vs-nosq`. Did you mean `sql-vs-nosql`?" in reply["text"]
    assert not buttons(reply)
    reply = run(slack, fake, "ask zzzzzzzzzzzz", user=ALICE)
    assert "There's no question `zzzzzzzzzzzz`." in reply["text"]
    assert "Did you mean" not in reply["text"]
    assert run(slack, fake, "ask", user=ALICE)["text"] == "Usage: `/interview ask <question-id>`"
    reply = run(slack, fake, "ask sql-vs-nosql grpc-vs-rest", user=ALICE)
    assert reply["text"] == "Usage: `/interview ask <question-id>`"
    assert fake.messages(CHANNEL) == []


# -- the team's own questions ------------------------------------------------------------------


def add_form(
    slack: SlackDriver, fake: FakeSlack, monkeypatch: pytest.MonkeyPatch, *, user: str
) -> dict[str, Any]:
    """`/interview add`; checks the modal opened with that command's trigger, returns the view."""
    issued: list[str] = []
    new_trigger_id = fake.new_trigger_id

    def record() -> str:
        trigger = new_trigger_id()
        issued.append(trigger)
        return trigger

    monkeypatch.setattr(fake, "new_trigger_id", record)
    opened = len(fake.calls("views.open"))
    responses = len(fake.calls("response_url"))
    slack.command("add", user=user, channel=CHANNEL)
    call = eventually(lambda: fake.calls("views.open")[opened:])[0]
    monkeypatch.setattr(fake, "new_trigger_id", new_trigger_id)
    assert call.args["trigger_id"] == issued[-1]
    assert call.response is not None and call.response["ok"] is True
    view = as_json(call.args["view"])
    assert view["callback_id"] == questions_render.ADD_QUESTION_VIEW
    assert json.loads(view["private_metadata"]) == {"channel_id": CHANNEL}
    assert [b["block_id"] for b in view["blocks"]] == [
        "category",
        "question",
        "rationale",
        "sample_answer",
    ]
    assert len(fake.calls("response_url")) == responses  # the modal is the answer
    return call.response["view"]


def submit_question(
    slack: SlackDriver, view: dict[str, Any], *, user: str, **fields: str
) -> Response:
    return submit(slack, view, text_inputs(fields), user=user)


NEW_QUESTION = {
    "category": "System Design",
    "question": "Design a URL shortener that survives a region outage.",
    "rationale": "Replication, consistent ids, read paths under failover.",
    "sample_answer": "Base62 ids from a range allocator, multi-region KV store, CDN reads.",
}


def test_add_a_question(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = add_form(slack, fake, monkeypatch, user=ALICE)

    # An empty question keeps the modal open with the error under that field; nothing is saved.
    response = submit_question(slack, view, user=ALICE, **{**NEW_QUESTION, "question": "  "})
    assert response.status == 200
    assert response.json() == {
        "response_action": "errors",
        "errors": {"question": "This field is required."},
    }
    response = submit_question(slack, view, user=ALICE, **{**NEW_QUESTION, "category": "C++ !"})
    assert list(response.json()["errors"]) == ["category"]
    reply = run(slack, fake, "questions mine", user=ALICE)
    assert reply["text"].startswith("You haven't added any questions yet.")
    assert "• `system-design` — 3 questions" in run(slack, fake, "categories", user=ALICE)["text"]
    assert fake.calls("chat.postEphemeral") == []

    # A valid question closes the modal and is confirmed to its author only, who is told that an
    # admin approves it first.
    response = submit_question(slack, view, user=ALICE, **NEW_QUESTION)
    assert response.status == 200 and response.body == ""
    [confirmation] = eventually(
        lambda: [e for e in fake.ephemerals(CHANNEL) if e["text"].startswith("Added `")]
    )
    assert confirmation["user"] == ALICE
    match = re.search(r"Added `(custom-[a-z0-9-]+)`", confirmation["text"])
    assert match, confirmation["text"]
    new_id = match.group(1)
    assert new_id == "custom-design-a-url-shortener-that-survives"
    assert f"`/interview ask {new_id}`" in confirmation["text"]
    assert "(system-design)" in confirmation["text"]
    assert "An admin must approve it before it is used" in confirmation["text"]
    assert fake.messages(CHANNEL) == []

    # Until an admin approves it, it is only its author's (and the admins') to see.
    mine = run(slack, fake, "questions mine", user=ALICE)["text"]
    assert mine == (
        f"• `{new_id}` (system-design) — {NEW_QUESTION['question']}"
        " · _waiting for an admin's approval_"
    )
    waiting = f"Team question (waiting for an admin's approval): {NEW_QUESTION['question']}"
    own = run(slack, fake, f"ask {new_id}", user=ALICE)
    assert own["text"] == waiting
    assert not buttons(own)
    hidden = run(slack, fake, f"ask {new_id}", user=BOB)
    assert hidden["text"].startswith("There's no question `custom-design-a-url-shortener-")
    assert NEW_QUESTION["question"] not in json.dumps(hidden)
    assert not buttons(hidden)
    assert "• `system-design` — 3 questions" in run(slack, fake, "categories", user=BOB)["text"]

    # An admin approves it from the pending list.
    pending = run(slack, fake, "questions pending", user=LEAD)
    assert pending["text"] == "1 team question waiting"
    value = buttons(pending)[questions_render.APPROVE_BUTTON]
    assert value.startswith(f"{new_id}:")
    approved = click_and_wait(slack, fake, questions_render.APPROVE_BUTTON, value, user=LEAD)
    assert approved["text"].startswith(f"Approved `{new_id}`")

    # Now anyone can ask it, see its sample answer, and it counts in its category.
    mine = run(slack, fake, "questions mine", user=ALICE)["text"]
    assert mine == f"• `{new_id}` (system-design) — {NEW_QUESTION['question']}"
    card = run(slack, fake, f"ask {new_id}", user=BOB)
    assert card_question(card) == new_id
    assert card["text"] == f"Practice: {NEW_QUESTION['question']}"
    shown = click_and_wait(slack, fake, questions_render.SHOW_SAMPLE_BUTTON, new_id, user=BOB)
    assert NEW_QUESTION["sample_answer"] in texts(shown["blocks"])
    assert "• `system-design` — 4 questions" in run(slack, fake, "categories", user=BOB)["text"]

    # Only its author sees it under "mine".
    reply = run(slack, fake, "questions mine", user=BOB)
    assert reply["text"].startswith("You haven't added any questions yet.")
    assert new_id not in reply["text"]
