"""Hostile input through the real process: Slack control sequences (`<!channel>`, `<!here>`,
`<!subteam^…>`, `<@U…>`, forged `<https://…|…>` labels) in answers, blind answers, team
questions, calibration notes and pasted evidence; 40,000-character and empty answers; right-to-left
and zero-width characters; bot messages; events for unknown workspaces and channels; huge or
binary command text; malformed and replayed signed requests.

Each gets a clear, private message or is ignored. None raises (the bot's log has no traceback and
no "listener failed"), answers 500, pings anyone (no text or block the bot sends anywhere holds a
live control sequence that came from user text: see :func:`tests.hostile.live_pings`) or corrupts
data (`python -m bot export` still parses, with the rounds and answers expected).

Product bugs these tests found and that live outside `handlers/` are pinned by tests marked
`xfail(strict=True)`: they start passing (and so fail, strictly) once the bug is fixed.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.calibration import render as calibration_render
from bot.questions import render as questions_render
from bot.rounds import render as rounds_render
from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.process import SIGNING_SECRET, BotProcess
from bot.server import MAX_BODY
from tests.helpers import (
    ADMIN,
    ALICE,
    BOB,
    CAROL,
    CHANNEL,
    DAVE,
    LEAD,
    OUTSIDE,
    as_json,
    button_value,
    click,
    click_and_wait,
    click_for_modal,
    eventually,
    in_thread,
    last_response,
    open_home,
    run,
    submitted,
    text_inputs,
    top_level,
)
from tests.hostile import (
    CONTROL,
    HOSTILE,
    INVISIBLE,
    database_rows,
    live_pings,
    log_problems,
    quiet,
    send_raw,
    signed_headers,
)

# Message text as Slack delivers it: control sequences as they are, what people typed as `<`,
# `>` and `&` escaped to entities.
SLACK_TEXT = "Ping " + " and ".join(CONTROL) + " &amp; &lt;b&gt;bold&lt;/b&gt; `code` *stars*"
INVISIBLE_TEXT = "\n".join(INVISIBLE)
# Slack's longest message: 40,000 characters, full of control sequences.
_UNIT = "<!here> <@UHOSTILE> <https://evil.example|docs> &amp; word "
LONG = (_UNIT * (40_000 // len(_UNIT) + 1))[:40_000]
OTHER_TEAM = "T0OTHER"
UNKNOWN_CHANNEL = "CUNKNOWN"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def assert_harmless(bot: BotProcess, fake: FakeSlack) -> None:
    """Nothing the bot sent pings anyone or forges a link; nothing raised; export parses."""
    quiet(fake)
    assert live_pings(fake.calls()) == []
    assert log_problems(bot.logs()) == []
    assert isinstance(bot.export()["rounds"], list)


def answers_of(bot: BotProcess) -> dict[str, str]:
    [round_] = bot.export()["rounds"]
    return {a["user"]: a["text"] for a in round_["answers"]}


def start_round(slack: SlackDriver, fake: FakeSlack) -> dict[str, Any]:
    """ADMIN's `/interview now`; the question as posted."""
    assert "Posted:" in run(slack, fake, "now", user=ADMIN)["text"]
    return eventually(
        lambda: [m for m in top_level(fake) if m["text"].startswith(rounds_render.TITLE)]
    )[0]


# -- answers -----------------------------------------------------------------------------------


def test_hostile_thread_answers_are_kept_verbatim_and_revealed_without_pinging_anyone(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    question = start_round(slack, fake)["ts"]
    alice, _ = slack.reply(CHANNEL, question, SLACK_TEXT, user=ALICE)
    bob, _ = slack.reply(CHANNEL, question, LONG, user=BOB)
    carol, _ = slack.reply(CHANNEL, question, INVISIBLE_TEXT, user=CAROL)
    # A file with no text is an answer too (a photo of a whiteboard): empty, not missing.
    dave = fake.next_ts()
    empty = {
        "type": "message",
        "subtype": "file_share",
        "text": "",
        "user": DAVE,
        "ts": dave,
        "thread_ts": question,
        "channel": CHANNEL,
        "files": [{"id": "F0WHITEBOARD", "name": "whiteboard.png"}],
        "channel_type": "channel",
    }
    assert slack.event(empty).status == 200
    slack.edit(CHANNEL, alice, SLACK_TEXT + " (edited)", user=ALICE)

    # Not answers: another bot, a top-level message, an unknown channel, another workspace.
    slack.bot_reply(CHANNEL, question, SLACK_TEXT)
    slack.post(CHANNEL, SLACK_TEXT, user=LEAD)
    for channel in (UNKNOWN_CHANNEL, OUTSIDE):
        event = {
            "type": "message",
            "user": LEAD,
            "text": SLACK_TEXT,
            "ts": fake.next_ts(),
            "thread_ts": question,
            "channel": channel,
        }
        assert slack.event(event).status == 200
    elsewhere = SlackDriver(bot.url, SIGNING_SECRET, fake, team_id=OTHER_TEAM)
    elsewhere.reply(CHANNEL, question, SLACK_TEXT, user=LEAD)
    elsewhere.react(CHANNEL, alice, "+1", user=LEAD, item_user=ALICE)

    # One vote each for Alice, Bob and Carol: a three-way tie, all three quoted at the reveal.
    slack.react(CHANNEL, alice, "+1", user=BOB, item_user=ALICE)
    slack.react(CHANNEL, bob, "+1::skin-tone-3", user=ALICE, item_user=BOB)
    slack.react(CHANNEL, carol, "+1", user=DAVE, item_user=CAROL)
    expected = {ALICE: SLACK_TEXT + " (edited)", BOB: LONG, CAROL: INVISIBLE_TEXT, DAVE: ""}
    eventually(lambda: answers_of(bot) == expected)

    reveal = run(slack, fake, "reveal", user=ADMIN)
    assert reveal["text"] == "Revealed. 4 answered." and reveal["response_type"] == "ephemeral"
    [posted] = eventually(lambda: [m for m in in_thread(fake, question) if "reveal" in m["text"]])
    shown = json.dumps(posted["blocks"])
    assert "Top-voted answers (tied)" in shown
    assert "&lt;!channel&gt;" in shown and "&lt;!subteam^S1|@oncall&gt;" in shown
    assert "\u202e" in shown or "\\u202e" in shown  # kept: text, not markup
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in as_json(posted["blocks"]))

    # Stats, the leaderboard and the Home tab after it: still nothing live.
    run(slack, fake, "stats", user=ALICE)
    slack.command("leaderboard all", user=ALICE, channel=CHANNEL)
    eventually(lambda: fake.calls("chat.update"))
    open_home(slack, fake, BOB)

    assert answers_of(bot) == expected
    exported = bot.export()["rounds"][0]
    votes = {a["user"]: a["votes"] for a in exported["answers"]}
    assert votes == {ALICE: [BOB], BOB: [ALICE], CAROL: [DAVE], DAVE: []}
    assert exported["revealed_at"] is not None
    assert_harmless(bot, fake)


def test_hostile_blind_answers_are_posted_escaped_at_the_reveal(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    assert "blind answers" in run(slack, fake, "mode blind", user=ADMIN)["text"]
    post = start_round(slack, fake)
    question = post["ts"]
    round_id = button_value(post, rounds_render.ANSWER_BUTTON)
    block, action = rounds_render.ANSWER_INPUT

    def answer(user: str, text: str) -> dict[str, Any]:
        view = click_for_modal(slack, fake, rounds_render.ANSWER_BUTTON, round_id, user=user)
        values = {block: {action: {"type": "plain_text_input", "value": text}}}
        return submitted(slack, view, values, user=user)

    assert answer(ALICE, HOSTILE) == {}  # typed in a modal: raw `<`, `>` and `&`
    assert answer(BOB, LONG) == {}  # past the input's max_length: a replayed, forged form
    assert answer(CAROL, INVISIBLE_TEXT) == {}
    assert answer(DAVE, "  \n ") == {
        "response_action": "errors",
        "errors": {block: "Write an answer first."},
    }
    # A thread reply in a blind round is not an answer; its author alone is told why.
    slack.reply(CHANNEL, question, SLACK_TEXT, user=DAVE)
    eventually(lambda: [e for e in fake.ephemerals(CHANNEL, DAVE) if "*blind*" in e["text"]])

    assert run(slack, fake, "reveal", user=ADMIN)["text"] == "Revealed. 3 answered."
    eventually(lambda: [m for m in in_thread(fake, question) if "The reveal" in m["text"]])
    posted = [m for m in in_thread(fake, question) if m["text"].startswith("Answer from")]
    assert [m["text"].split(":")[0] for m in posted] == [
        f"Answer from <@{user}>" for user in (ALICE, BOB, CAROL)
    ]
    alice = json.dumps(posted[0]["blocks"])
    assert "&lt;!channel&gt;" in alice and "&amp; &lt;b&gt;bold&lt;/b&gt;" in alice
    bob = [b["text"]["text"] for b in posted[1]["blocks"] if b["type"] == "section"][1:]
    assert len(posted[1]["blocks"]) <= 50 and all(len(s) <= 3000 for s in bob)
    assert sum(s.count("word") for s in bob) == LONG.count("word")  # none of it lost

    assert answers_of(bot) == {ALICE: HOSTILE, BOB: LONG, CAROL: INVISIBLE_TEXT}
    assert_harmless(bot, fake)


# -- team questions ----------------------------------------------------------------------------


def add_question(
    slack: SlackDriver, fake: FakeSlack, user: str, fields: dict[str, str]
) -> tuple[dict[str, Any], str]:
    """`user` fills `/interview add`'s form with `fields`; (the bot's answer, the new id)."""
    before = len(fake.calls("views.open"))
    slack.command("add", user=user, channel=CHANNEL)
    call = eventually(lambda: fake.calls("views.open")[before:])[0]
    assert call.response is not None and call.response["ok"], call.response
    assert as_json(call.args["view"])["callback_id"] == questions_render.ADD_QUESTION_VIEW
    form = call.response["view"]
    # A category made of control sequences is refused under its field; nothing is saved.
    refused = submitted(slack, form, text_inputs({**fields, "category": "<!here>"}), user=user)
    assert list(refused["errors"]) == ["category"]
    answer = submitted(slack, form, text_inputs(fields), user=user)
    confirmation = eventually(
        lambda: [e["text"] for e in fake.ephemerals(CHANNEL, user) if "custom-" in e["text"]]
    )[0]
    match = re.search(r"`(custom-[a-z0-9-]+)`", confirmation)
    assert match, confirmation
    return answer, match.group(1)


def test_a_hostile_team_question_is_shown_escaped_wherever_it_goes(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    fields = {
        "category": "databases",
        "question": "Design <!channel> a queue <@UHOSTILE> for <!subteam^S1|@oncall>?",
        "rationale": f"Look for {HOSTILE}",
        "sample_answer": f"{INVISIBLE_TEXT}\n{HOSTILE}",
    }
    # A member's question waits for an admin, who sees it in full to decide.
    answer, pending = add_question(slack, fake, ALICE, {**fields, "question": "Why <!here>?"})
    assert answer == {}
    run(slack, fake, "questions mine", user=ALICE)
    run(slack, fake, f"ask {pending}", user=ADMIN)
    # An admin's question is approved as it is added: anyone can draw it, see its sample
    # answer, post it to the channel and reveal it there.
    answer, question_id = add_question(slack, fake, ADMIN, fields)
    assert answer == {}
    run(slack, fake, "questions mine", user=ADMIN)
    card = run(slack, fake, f"ask {question_id}", user=ALICE)
    assert questions_render.POST_PRACTICE_BUTTON in json.dumps(card.get("blocks")), card
    click_and_wait(slack, fake, questions_render.SHOW_SAMPLE_BUTTON, question_id, user=ALICE)
    click_and_wait(slack, fake, questions_render.POST_PRACTICE_BUTTON, question_id, user=ALICE)
    practice = eventually(lambda: top_level(fake))[0]
    assert "&lt;!channel&gt;" in practice["text"]
    round_id = button_value(practice, rounds_render.REVEAL_BUTTON)
    slack.reply(CHANNEL, practice["ts"], SLACK_TEXT, user=BOB)
    eventually(lambda: bot.export()["rounds"][0]["answers"])
    click(slack, fake, rounds_render.REVEAL_BUTTON, round_id, user=ALICE, message_ts=practice["ts"])
    [reveal] = eventually(lambda: in_thread(fake, practice["ts"]))
    assert "&lt;!channel&gt;" in json.dumps(reveal["blocks"])
    assert_harmless(bot, fake)


# -- calibration -------------------------------------------------------------------------------


def test_hostile_calibration_notes_and_pasted_evidence_never_ping_the_panel(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    before = len(fake.calls("views.open"))
    slack.command("calibrate", user=ADMIN, channel=CHANNEL)
    call = eventually(lambda: fake.calls("views.open")[before:])[0]
    assert call.response is not None and call.response["ok"], call.response
    form = call.response["view"]
    values: dict[str, Any] = {
        "question": {
            "question": {"type": "static_select", "selected_option": {"value": "sql-vs-nosql"}}
        },
        "evidence": {"evidence": {"type": "static_select", "selected_option": {"value": "pasted"}}},
        **text_inputs({"pasted": f"{HOSTILE}\n{INVISIBLE_TEXT}", "duration": "2h"}),
    }
    assert submitted(slack, form, values, user=ADMIN) == {}
    card = eventually(
        lambda: [m for m in top_level(fake) if m["text"].startswith("Calibration session")]
    )[0]
    assert "&lt;!channel&gt;" in json.dumps(card["blocks"])
    session = button_value(card, calibration_render.SCORE_BUTTON)
    # The card is in the channel a moment before the session is marked open (see the report).
    eventually(lambda: bot.export()["calibration"][0]["status"] == "open")

    notes = {ALICE: (1, HOSTILE), BOB: (4, INVISIBLE_TEXT), CAROL: (2, LONG)}
    for user, (score, note) in notes.items():
        view = click_for_modal(slack, fake, calibration_render.SCORE_BUTTON, session, user=user)
        state = {
            calibration_render.SCORE_INPUT: {
                calibration_render.SCORE_INPUT: {
                    "type": "radio_buttons",
                    "selected_option": {"value": str(score)},
                }
            },
            **text_inputs({calibration_render.NOTE_INPUT: note}),
        }
        assert submitted(slack, view, state, user=user) == {}
    eventually(lambda: len(bot.export()["calibration"][0]["scores"]) == 3)

    click(slack, fake, calibration_render.CLOSE_BUTTON, session, user=ADMIN, message_ts=card["ts"])
    eventually(lambda: in_thread(fake, card["ts"]))
    eventually(lambda: [m for m in fake.messages(ALICE) if "consensus" in m["text"].lower()])
    run(slack, fake, "calibration report", user=ADMIN)
    eventually(lambda: fake.uploads(ADMIN))

    [exported] = bot.export()["calibration"]
    assert exported["status"] == "closed" and exported["evidence"].startswith(HOSTILE)
    kept = {s["rater"]: (s["score"], s["note"]) for s in exported["scores"]}
    assert kept[ALICE] == (1, HOSTILE) and kept[BOB] == (4, INVISIBLE_TEXT)
    assert kept[CAROL][0] == 2 and LONG.startswith(kept[CAROL][1])  # cut to the note limit
    assert_harmless(bot, fake)


# -- slash-command text ------------------------------------------------------------------------

# Every sub-command, each followed by one control sequence. `add` and a bare `calibrate` open a
# form rather than answer; `stats @someone` names that person on purpose (only to the asker).
WORDS = (
    "",
    "help",
    "random",
    "ask",
    "categories",
    "questions",
    "leaderboard",
    "now",
    "now databases",
    "reveal",
    "pause",
    "resume",
    "mode",
    "remind",
    "emoji",
    "calibrate",
    "calibrate sql-vs-nosql specimen",
    "calibrate sql-vs-nosql for",
    "calibration report",
    "calibration report since",
)
SAMPLES = (
    "<!channel>",
    "<!subteam^S1|@oncall>",
    "<@UHOSTILE|alice>",
    "<https://evil.example/login|https://slack.com/reset-password>",
)
# Huge, binary, and look-alike text. The look-alikes must not run the command they imitate.
ODD = (
    "x" * 100_000,
    "ask " + "<!here>" * 20_000,
    " ".join(["now"] * 5_000),
    "".join(chr(c) for c in range(1, 256)) + "\x00",
    "now\u200b",
    "\u202enow",
    "n\u200dow",
    "\ufeffnow",
    "\u200b",
    "\uff4e\uff4f\uff57",  # full-width "now"
    INVISIBLE_TEXT,
)


def test_hostile_and_huge_command_text_gets_a_clear_private_answer(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    texts = [f"{word} {sample}".strip() for word in WORDS for sample in SAMPLES]
    for user in (ALICE, ADMIN):
        for text in (*texts, *ODD):
            reply = run(slack, fake, text, user=user)
            assert reply["response_type"] == "ephemeral", (text[:60], reply)
            assert reply["text"].strip(), text[:60]
            assert len(reply["text"]) <= 40_000
    # Nothing ran: no round, no schedule, no session, nothing in the channel.
    exported = bot.export()
    assert exported["rounds"] == [] and exported.get("calibration", []) == []
    assert fake.messages(CHANNEL) == []
    assert_harmless(bot, fake)


def test_schedule_errors_quote_what_was_typed_without_making_it_live(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    for words in ("", "09:30", "09:30 Europe/Berlin reveal", "09:30 UTC holidays"):
        for sample in SAMPLES:
            reply = run(slack, fake, f"schedule {words} {sample}".replace("  ", " "), user=ADMIN)
            assert reply["text"].startswith("Nothing was saved.")
    assert_harmless(bot, fake)


@pytest.mark.xfail(
    strict=True,
    reason="product bug: slack_bolt's parse_body (slack_bolt/request/internals.py) reads any "
    'form body containing the substring "payload" as an interactivity payload; a slash command '
    "whose text, channel name or user name contains it becomes {} and is answered 404",
)
def test_a_command_that_mentions_payload_is_answered(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    response = slack.command("ask payload-design", user=ALICE, channel=CHANNEL)
    assert response.status == 200, response
    assert "payload" in last_response(fake)


# -- events ------------------------------------------------------------------------------------


def test_events_for_unknown_workspaces_channels_and_shapes_are_ignored(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    question = start_round(slack, fake)["ts"]
    answer, _ = slack.reply(CHANNEL, question, "a real answer", user=ALICE)
    eventually(lambda: answers_of(bot) == {ALICE: "a real answer"})
    before = database_rows(bot.db_url)
    elsewhere = SlackDriver(bot.url, SIGNING_SECRET, fake, team_id=OTHER_TEAM)
    message = {"type": "message", "user": BOB, "text": SLACK_TEXT, "channel": CHANNEL}
    events: list[dict[str, Any]] = [
        # shapes Slack sends that are not answers
        {**message, "ts": fake.next_ts()},  # top level
        {**message, "ts": question, "thread_ts": question},  # the parent itself
        {**message, "subtype": "channel_join", "ts": fake.next_ts(), "thread_ts": question},
        {**message, "subtype": "bot_message", "bot_id": "B1", "ts": fake.next_ts()},
        {**message, "user": None, "ts": fake.next_ts(), "thread_ts": question},
        {**message, "bot_profile": {"id": "B1"}, "ts": fake.next_ts(), "thread_ts": question},
        {**message, "channel": UNKNOWN_CHANNEL, "ts": fake.next_ts(), "thread_ts": question},
        {**message, "ts": fake.next_ts(), "thread_ts": "1.000001"},  # a thread we never posted
        {
            "type": "message",
            "subtype": "message_changed",
            "channel": UNKNOWN_CHANNEL,
            "message": {**message, "ts": answer, "thread_ts": question},
            "ts": fake.next_ts(),
        },
        {
            "type": "message",
            "subtype": "message_deleted",
            "channel": UNKNOWN_CHANNEL,
            "deleted_ts": answer,
            "previous_message": {"user": ALICE, "ts": answer, "thread_ts": question},
            "ts": fake.next_ts(),
        },
        {
            "type": "message",
            "subtype": "message_changed",
            "channel": CHANNEL,
            "message": {"type": "message", "bot_id": "B1", "ts": answer, "thread_ts": question},
            "ts": fake.next_ts(),
        },
        {
            "type": "reaction_added",
            "user": BOB,
            "reaction": "+1",
            "item": {"type": "message", "channel": UNKNOWN_CHANNEL, "ts": answer},
            "item_user": ALICE,
        },
        {
            "type": "reaction_added",
            "user": BOB,
            "reaction": "+1",
            "item": {"type": "file", "file": "F1"},
            "item_user": ALICE,
        },
        {"type": "reaction_added", "user": BOB, "reaction": "<!channel>", "item": {}},
        {"type": "app_home_opened", "user": BOB, "channel": "DBOB", "tab": "messages"},
    ]
    for event in events:
        assert slack.event(event).status == 200, event
        assert elsewhere.event(event).status == 200, event
    # Another workspace's events about this workspace's round change nothing either.
    elsewhere.edit(CHANNEL, answer, "rewritten from elsewhere", user=ALICE, thread_ts=question)
    elsewhere.delete(CHANNEL, answer, user=ALICE, thread_ts=question)
    elsewhere.react(CHANNEL, answer, "+1", user=BOB, item_user=ALICE)
    quiet(fake)
    # Votes are kept whatever message they are on, since a vote may arrive before its answer;
    # they count only on an answer of the same workspace and channel, which none of these is.
    after = database_rows(bot.db_url)
    assert {k: v for k, v in after.items() if k != "votes"} == {
        k: v for k, v in before.items() if k != "votes"
    }
    [round_] = bot.export()["rounds"]
    assert [(a["user"], a["text"], a["votes"]) for a in round_["answers"]] == [
        (ALICE, "a real answer", [])
    ]
    assert_harmless(bot, fake)


def test_the_same_event_delivered_twice_is_applied_once(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    question = start_round(slack, fake)["ts"]
    answer, _ = slack.reply(CHANNEL, question, "first", user=ALICE)
    event_id = slack.last_event_id
    assert event_id is not None
    eventually(lambda: answers_of(bot) == {ALICE: "first"})
    for retry in (1, 2, 3):
        assert slack.resend_last_event(retry_num=retry).status == 200
    # The same event id again, as a replay with other content: still the first one counts.
    replay = {
        "type": "message",
        "user": ALICE,
        "text": "<!channel> replaced",
        "ts": answer,
        "thread_ts": question,
        "channel": CHANNEL,
    }
    assert slack.event(replay, event_id=event_id).status == 200
    slack.react(CHANNEL, answer, "+1", user=BOB, item_user=ALICE)
    vote_id = slack.last_event_id
    assert slack.resend_last_event().status == 200
    slack.unreact(CHANNEL, answer, "+1", user=BOB, item_user=ALICE)
    unvote = {
        "type": "reaction_added",
        "user": BOB,
        "reaction": "+1",
        "item": {"type": "message", "channel": CHANNEL, "ts": answer},
        "item_user": ALICE,
    }
    assert slack.event(unvote, event_id=vote_id).status == 200  # the old vote, replayed
    quiet(fake)
    [round_] = bot.export()["rounds"]
    assert [(a["user"], a["text"], a["votes"]) for a in round_["answers"]] == [(ALICE, "first", [])]
    assert_harmless(bot, fake)


# -- raw requests ------------------------------------------------------------------------------


def command_body(fake: FakeSlack, text: str, user: str = ALICE) -> bytes:
    fields = {
        "token": "fake-verification-token",
        "team_id": fake.team_id,
        "team_domain": fake.team_domain,
        "channel_id": CHANNEL,
        "channel_name": "interview-practice",
        "user_id": user,
        "user_name": "alice",
        "command": "/interview",
        "text": text,
        "api_app_id": "A0APP",
        "response_url": fake.response_url(channel=CHANNEL, user=user),
        "trigger_id": fake.new_trigger_id(),
    }
    return urlencode(fields).encode()


def test_requests_signed_with_another_secret_or_for_another_body_are_refused_with_401(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    body = command_body(fake, "now", user=ADMIN)
    signed = signed_headers(SIGNING_SECRET, body)
    forged = {
        "another secret": signed_headers("not-the-secret", body),
        "another body's signature": {
            **signed_headers(SIGNING_SECRET, body + b"&x=1"),
            "X-Slack-Request-Timestamp": signed["X-Slack-Request-Timestamp"],
        },
        "another timestamp's signature": {
            **signed,
            "X-Slack-Request-Timestamp": str(int(signed["X-Slack-Request-Timestamp"]) - 1),
        },
    }
    for name, headers in forged.items():
        assert send_raw(bot.url, body, FORM, headers).status == 401, name
    # Too big to read: refused before the signature is even looked at.
    huge = b"text=" + b"x" * (MAX_BODY + 1)
    assert send_raw(bot.url, huge, FORM, signed_headers(SIGNING_SECRET, huge)).status == 413
    quiet(fake)
    assert fake.calls("response_url") == [] and bot.export()["rounds"] == []
    assert_harmless(bot, fake)


def test_stale_and_unsigned_requests_are_refused_with_401_before_the_body_is_read(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    body = command_body(fake, "now", user=ADMIN)
    now = int(time.time())
    signed = signed_headers(SIGNING_SECRET, body)
    refused: dict[str, dict[str, str]] = {
        # a request Slack signed ten minutes ago, replayed byte for byte
        "ten minutes old": signed_headers(SIGNING_SECRET, body, now - 600),
        "an hour ahead": signed_headers(SIGNING_SECRET, body, now + 3600),
        "no signature": {"X-Slack-Request-Timestamp": str(now)},
        "no timestamp": {"X-Slack-Signature": signed["X-Slack-Signature"]},
        "a v1 signature": {**signed, "X-Slack-Signature": "v1=" + "0" * 64},
        "a non-numeric timestamp": {**signed, "X-Slack-Request-Timestamp": "1e10"},
    }
    statuses = {
        name: send_raw(bot.url, body, FORM, headers).status for name, headers in refused.items()
    }
    assert statuses == dict.fromkeys(refused, 401)
    quiet(fake)
    assert fake.calls("response_url") == [] and bot.export()["rounds"] == []
    assert_harmless(bot, fake)


MALFORMED = {
    "not JSON": (b"{not json", JSON),
    "a JSON array": (b"[]", JSON),
    "a JSON string": (b'"event_callback"', JSON),
    "a payload that is not JSON": (b"payload=%7Bnot+json", FORM),
    "a payload that is a list": (b"payload=%5B1%2C2%5D", FORM),
    "bytes that are not UTF-8": (b"text=\xff\xfe\x00\x81", FORM),
}


@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
@pytest.mark.parametrize("name", list(MALFORMED))
def test_a_malformed_body_is_refused_with_a_4xx_and_no_traceback(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack, name: str, signed: bool
) -> None:
    body, content_type = MALFORMED[name]
    headers = signed_headers(SIGNING_SECRET if signed else "forged", body)
    status = send_raw(bot.url, body, content_type, headers).status
    assert 400 <= status < 500 and log_problems(bot.logs()) == [], (status, bot.logs()[-2000:])


def send_payloads(
    bot: BotProcess, fake: FakeSlack, payloads: dict[str, dict[str, Any]]
) -> dict[str, int]:
    """Each payload signed and sent as Slack would (events as JSON, interactivity as a form);
    the status the bot answered each with."""
    statuses = {}
    for name, payload in payloads.items():
        payload = {**payload, "team_id": fake.team_id, "api_app_id": "A0APP"}
        if payload["type"] in ("block_actions", "view_submission"):
            body = urlencode({"payload": json.dumps(payload)}).encode()
            content_type = FORM
        else:
            body, content_type = json.dumps(payload).encode(), JSON
        answer = send_raw(bot.url, body, content_type, signed_headers(SIGNING_SECRET, body))
        statuses[name] = answer.status
    return statuses


def event(event_id: str, **fields: Any) -> dict[str, Any]:
    return {"type": "event_callback", "event_id": event_id, "event": fields}


ODD_SHAPES: dict[str, dict[str, Any]] = {
    "an event_callback without an event": {"type": "event_callback", "event_id": "EvN"},
    "an event without a type": event("EvT"),
    "a payload of an unknown type": {"type": "something_new", "x": 1},
    "an edit whose message is a string": event(
        "EvM", type="message", subtype="message_changed", channel=CHANNEL, message="x"
    ),
    "a reaction whose item is a string": event(
        "EvI", type="reaction_added", user=ALICE, reaction="+1", item="x"
    ),
    "a Home tab opened by nobody": event("EvH", type="app_home_opened", tab="home"),
    "a message whose user is an object": event(
        "EvU", type="message", user={"id": ALICE}, ts="2.0", thread_ts="1.0", channel=CHANNEL
    ),
    "a message whose ts are numbers": event(
        "EvF", type="message", user=ALICE, ts=2.0, thread_ts=1.0, channel=CHANNEL
    ),
    "a block action without actions": {"type": "block_actions", "user": {"id": ALICE}},
    "a button pressed by a string": {
        "type": "block_actions",
        "user": ALICE,
        "actions": [{"action_id": rounds_render.REVEAL_BUTTON, "value": "1", "type": "button"}],
    },
    "a view submission without a view": {"type": "view_submission", "user": {"id": ALICE}},
}


def test_signed_payloads_of_unexpected_shapes_are_ignored_without_a_500_or_a_traceback(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    statuses = send_payloads(bot, fake, ODD_SHAPES)
    assert {name: status for name, status in statuses.items() if status >= 500} == {}
    assert bot.export()["rounds"] == []
    assert_harmless(bot, fake)


def test_an_event_that_is_not_an_object_is_refused_without_a_500(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    payloads: dict[str, dict[str, Any]] = {
        "a string": {"type": "event_callback", "event_id": "EvS", "event": "x"},
        "a list": {"type": "event_callback", "event_id": "EvL", "event": [1]},
    }
    assert list(send_payloads(bot, fake, payloads).values()) == [400, 400]
    assert_harmless(bot, fake)


def test_an_event_without_a_usable_channel_is_ignored_without_a_traceback(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    question = start_round(slack, fake)["ts"]
    reply = {"type": "message", "user": ALICE, "text": "hi", "thread_ts": question}
    payloads = {
        "a reply without a channel": event("EvC1", **reply, ts=fake.next_ts()),
        "a reply in a list of channels": event(
            "EvC2", **reply, ts=fake.next_ts(), channel=[CHANNEL]
        ),
        "a reaction on an item without a channel": event(
            "EvC3",
            type="reaction_added",
            user=BOB,
            reaction="+1",
            item={"type": "message", "ts": question},
        ),
    }
    assert list(send_payloads(bot, fake, payloads).values()) == [200, 200, 200]
    assert_harmless(bot, fake)
