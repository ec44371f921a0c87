"""A team question through the real server: a member adds one with a "reset your password"
link; it is not used until an admin approves it; a replayed Approve from someone who is not an
admin (or from another workspace) changes nothing; once approved it can be the daily question,
and its link is no link, and its author is named without a notification; its author removes
it, and the round that used it keeps it."""

from __future__ import annotations

import json
import re
from typing import Any

from bot.questions import render as questions_render
from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.process import ADMIN, ALICE, BOB, CHANNEL, LEAD, BotProcess
from tests.helpers import (
    click_and_wait,
    eventually,
    in_thread,
    modal_opened_since,
    run,
    submitted,
    text_inputs,
    top_level,
)

PHISH = {
    "category": "Account Security",
    "question": "Your session expired. Reset your password at https://evil.example.com/reset",
    "rationale": "Checks that you read a link before you click it.",
    "sample_answer": "I would not click it: www.evil.example.com is not our domain.",
}
QUESTION_ID = "custom-your-session-expired-reset-your-password"
NO_CATEGORY = "There's no category `account-security`."
LINKABLE = re.compile(r"(?i)https?://|www\.|evil\.example\.com")


def approve_value(response: dict[str, Any]) -> str:
    """The Approve button of the question on an admin's pending list."""
    [value] = [
        element["value"]
        for block in response.get("blocks") or []
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == questions_render.APPROVE_BUTTON
    ]
    assert value.startswith(f"{QUESTION_ID}:")
    return str(value)


def dms(fake: FakeSlack, user: str) -> list[str]:
    return [m["text"] for m in fake.messages(user)]


def test_a_team_question_is_used_only_once_an_admin_approves_it(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    # A member adds a question with a phishing link; only they are told it waits for approval.
    opened = len(fake.calls("views.open"))
    assert slack.command("add", user=ALICE, channel=CHANNEL).status == 200
    view = modal_opened_since(fake, opened)
    assert submitted(slack, view, text_inputs(PHISH), user=ALICE) == {}
    [note] = eventually(lambda: fake.ephemerals(CHANNEL, ALICE))
    assert note["text"].startswith(f"Added `{QUESTION_ID}`")
    assert "An admin must approve it before it is used in the daily question" in note["text"]
    assert (
        "waiting for an admin's approval" in run(slack, fake, "questions mine", user=ALICE)["text"]
    )

    # Not used until approved: `/interview now` can't pick it, nothing is posted.
    assert run(slack, fake, "now account-security", user=ADMIN)["text"].startswith(NO_CATEGORY)
    assert top_level(fake) == []

    # The admins' list; a member replaying its Approve button is refused, and so is the button
    # sent from another workspace.
    pending = run(slack, fake, "questions pending", user=ADMIN)
    value = approve_value(pending)
    refused = click_and_wait(slack, fake, questions_render.APPROVE_BUTTON, value, user=BOB)
    assert refused["text"].startswith("Only workspace admins and the bot's admins can approve")
    before = len(fake.calls("response_url"))
    payload = {
        "type": "block_actions",
        "user": ADMIN,
        "team": {"id": "T0ELSEWHERE", "domain": "elsewhere"},
        "channel": {"id": CHANNEL},
        "actions": [
            {"action_id": questions_render.APPROVE_BUTTON, "value": value, "type": "button"}
        ],
        "trigger_id": fake.new_trigger_id(),
        "container": {"type": "message", "message_ts": fake.next_ts(), "channel_id": CHANNEL},
        "response_url": fake.response_url(channel=CHANNEL, user=ADMIN),
    }
    assert slack.action(payload).status == 200
    elsewhere = eventually(lambda: fake.calls("response_url")[before:])[0].args
    assert "nothing changed" in elsewhere["text"]
    assert run(slack, fake, "now account-security", user=ADMIN)["text"].startswith(NO_CATEGORY)
    assert dms(fake, ALICE) == []

    # The admin approves; the author hears it in a direct message.
    approved = click_and_wait(slack, fake, questions_render.APPROVE_BUTTON, value, user=LEAD)
    assert approved["text"].startswith(f"Approved `{QUESTION_ID}`")
    [told] = eventually(lambda: dms(fake, ALICE))
    assert told.startswith(f"<@{LEAD}> approved your question `{QUESTION_ID}`")

    # Now it can be the daily question, and its link is shown as plain text.
    assert run(slack, fake, "now account-security", user=ADMIN)["text"].startswith("Posted: ")
    [post] = eventually(lambda: top_level(fake))
    [call] = [c for c in fake.calls("chat.postMessage") if c.args["channel"] == CHANNEL]
    assert call.args["unfurl_links"] in (False, "false")
    # Its author is named, not notified: posted with a plain name, the mention edited in.
    assert f"<@{ALICE}>" not in json.dumps(call.args) and "added by *alice*" in str(call.args)
    eventually(lambda: f"added by <@{ALICE}>" in json.dumps(top_level(fake)[0]["blocks"]))
    rendered = post["text"] + json.dumps(post["blocks"], ensure_ascii=False)
    assert not LINKABLE.search(rendered), rendered
    assert "Reset your password at https://evil.example.com/reset" in rendered.replace("\u2060", "")
    assert QUESTION_ID in [r["question_id"] for r in bot.export()["rounds"]]

    # Its author removes it: never used again, and the open round still reveals it.
    removed = run(slack, fake, f"questions remove {QUESTION_ID}", user=ALICE)
    assert removed["text"].startswith(f"Removed `{QUESTION_ID}`")
    assert run(slack, fake, "reveal", user=LEAD)["text"].startswith("Revealed.")
    reveal = eventually(lambda: in_thread(fake, post["ts"]))[0]
    assert PHISH["rationale"] in json.dumps(reveal["blocks"])
    assert not LINKABLE.search(json.dumps(reveal["blocks"], ensure_ascii=False))
    assert run(slack, fake, "now account-security", user=ADMIN)["text"].startswith(NO_CATEGORY)
    assert run(slack, fake, "questions mine", user=ALICE)["text"].startswith(
        "You haven't added any questions yet."
    )
