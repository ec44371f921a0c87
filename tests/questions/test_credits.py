"""Practice questions say who posted them to the channel, and a team's own question says who
added it: on the private card, on the channel's post and on that post once it is closed. The post
names them without notifying them: a mention in a new message notifies, one edited in does not,
so the question goes out with plain names and the mentions are edited in."""

from __future__ import annotations

from typing import Any

from tests.helpers import ALICE, BOB, CHANNEL, LEAD, NOW, TEAM, UIs, invocation, top_level
from tests.questions.test_ui import VALID, VALID_ID, approve, card_context


def post_context(message: dict[str, Any]) -> str:
    """The context line under a channel post's header: category, difficulty, credits."""
    [context, *_] = [b for b in message["blocks"] if b["type"] == "context"]
    return str(context["elements"][0]["text"])


def test_a_team_questions_card_says_who_added_it_and_a_bank_question_names_nobody(
    uis: UIs,
) -> None:
    assert uis.questions.submit_question(TEAM, ALICE, VALID, NOW) is None
    approve(uis)
    team_card = uis.questions.ask(invocation(BOB), [VALID_ID], NOW)
    bank_card = uis.questions.ask(invocation(BOB), ["sql-vs-nosql"], NOW)
    assert f"a team question added by <@{ALICE}>" in card_context(team_card.blocks)
    assert "added by" not in card_context(bank_card.blocks)


def test_a_practice_post_says_who_posted_it_and_who_added_the_question(uis: UIs) -> None:
    assert uis.questions.submit_question(TEAM, ALICE, VALID, NOW) is None
    approve(uis)
    uis.rounds.post_practice(TEAM, CHANNEL, BOB, VALID_ID, NOW)
    [post] = top_level(uis.fake)
    credits = f"posted by <@{BOB}> · a team question added by <@{ALICE}>"
    assert credits in post_context(post)

    # BOB reveals it: the closed question keeps both names.
    uis.rounds.reveal_button(TEAM, BOB, _round_id(post), NOW)
    [closed] = top_level(uis.fake)
    assert "(closed)" in closed["text"]
    assert credits in post_context(closed)


def test_a_bank_question_posted_for_practice_names_only_who_posted_it(uis: UIs) -> None:
    uis.rounds.post_practice(TEAM, CHANNEL, BOB, "sql-vs-nosql", NOW)
    [post] = top_level(uis.fake)
    assert post_context(post).endswith(f" · posted by <@{BOB}>")


def test_the_daily_question_names_nobody(uis: UIs) -> None:
    uis.slash.run(invocation("UADMIN", "now"), NOW)
    [post] = top_level(uis.fake)
    assert "<@" not in post_context(post)


def posted_and_final(uis: UIs) -> tuple[str, str]:
    """The channel's one question: its credit line as first posted, and as Slack shows it now."""
    [call] = [
        c
        for c in uis.fake.calls("chat.postMessage")
        if c.args["channel"] == CHANNEL and not c.args.get("thread_ts")
    ]
    [post] = top_level(uis.fake)
    return post_context({"blocks": call.args["blocks"]}), post_context(post)


def test_a_practice_post_names_its_poster_and_author_without_notifying_them(uis: UIs) -> None:
    assert uis.questions.submit_question(TEAM, ALICE, VALID, NOW) is None
    approve(uis)
    uis.rounds.post_practice(TEAM, CHANNEL, BOB, VALID_ID, NOW)

    first, final = posted_and_final(uis)

    assert first.endswith(" · posted by *bob* · a team question added by *alice*")
    assert "<@" not in first
    assert final.endswith(f" · posted by <@{BOB}> · a team question added by <@{ALICE}>")
    [edit] = uis.fake.calls("chat.update")
    assert edit.args["ts"] == top_level(uis.fake)[0]["ts"]


def test_the_days_team_question_names_its_author_without_notifying_them(uis: UIs) -> None:
    assert uis.questions.submit_question(TEAM, ALICE, VALID, NOW) is None
    approve(uis)
    assert uis.slash.run(invocation(LEAD, "now incident-response"), NOW).text.startswith("Posted")

    first, final = posted_and_final(uis)

    assert first.endswith(" · a team question added by *alice*") and "<@" not in first
    assert final.endswith(f" · a team question added by <@{ALICE}>")


def test_a_question_crediting_nobody_is_not_edited(uis: UIs) -> None:
    uis.slash.run(invocation("UADMIN", "now"), NOW)
    assert len(top_level(uis.fake)) == 1
    assert uis.fake.calls("chat.update") == []


def test_when_slack_refuses_the_edit_the_plain_names_stay(uis: UIs) -> None:
    uis.fake.fail_next("chat.update", "internal_error", status=500, times=5)
    uis.rounds.post_practice(TEAM, CHANNEL, BOB, "sql-vs-nosql", NOW)
    [post] = top_level(uis.fake)
    assert post_context(post).endswith(" · posted by *bob*")


def _round_id(message: dict[str, Any]) -> int:
    [button] = [
        element
        for block in message["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == "round_reveal"
    ]
    return int(button["value"])
