"""QuestionsUI in-process: what a person reads back from `/interview random|ask|categories|
questions mine`, and the errors under the fields of the form that adds a team's question."""

from __future__ import annotations

import pytest

from bot.questions.render import ADD_QUESTION_VIEW, APPROVE_BUTTON
from tests.helpers import (
    ALICE,
    BANK,
    BOB,
    CHANNEL,
    LEAD,
    NOW,
    TEAM,
    UIs,
    invocation,
    private_metadata,
)

VALID: dict[str, str | None] = {
    "category": "Incident Response",
    "question": "How do you run the first hour of a production incident?",
    "rationale": "Checks calm triage, communication and ownership.",
    "sample_answer": "Declare it, name an incident lead, stabilise first, communicate often.",
}
VALID_ID = "custom-how-do-you-run-the-first"
WAITING = " · _waiting for an admin's approval_"


def card_context(blocks: list[dict] | None) -> str:
    """The context line of a practice card: `*Category* · difficulty · `id``."""
    assert blocks
    return str(blocks[0]["elements"][0]["text"])


def button_labels(blocks: list[dict] | None) -> list[str]:
    assert blocks
    actions = [block for block in blocks if block["type"] == "actions"]
    return [button["text"]["text"] for block in actions for button in block["elements"]]


def approve(uis: UIs, question_id: str = VALID_ID) -> None:
    """An admin (LEAD, in INTERVIEW_ADMINS) presses Approve on `/interview questions pending`."""
    pending = uis.slash.run(invocation(LEAD, "questions pending"), NOW)
    assert pending.blocks
    [value] = [
        element["value"]
        for block in pending.blocks
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == APPROVE_BUTTON and element["value"].startswith(f"{question_id}:")
    ]
    reply = uis.questions.review(TEAM, LEAD, value, NOW, approve=True)
    assert reply.text.startswith(f"Approved `{question_id}`")


# -- /interview random -------------------------------------------------------------------------


def test_random_without_filters_shows_a_bank_question_with_its_buttons(uis: UIs) -> None:
    reply = uis.questions.random(invocation(ALICE, "random"), [], NOW)

    question_id = card_context(reply.blocks).rsplit("`", 2)[1]
    question = BANK.get(question_id)
    assert question is not None
    assert reply.text == f"Practice: {question.question}"
    assert not reply.public
    assert button_labels(reply.blocks) == ["Show sample answer", "Post to channel"]


def test_random_with_a_category_and_a_difficulty_draws_only_from_both(uis: UIs) -> None:
    for _ in range(5):
        reply = uis.questions.random(invocation(ALICE), ["databases", "senior"], NOW)
        assert (
            card_context(reply.blocks) == "*Databases* · senior · `zero-downtime-schema-migration`"
        )


def test_random_with_a_category_only_stays_in_that_category(uis: UIs) -> None:
    in_category = {q.id for q in BANK.questions if q.category == "api-design"}
    for _ in range(5):
        reply = uis.questions.random(invocation(ALICE), ["API-Design"], NOW)
        assert card_context(reply.blocks).rsplit("`", 2)[1] in in_category


def test_random_with_a_misspelt_category_suggests_the_closest_and_lists_the_choices(
    uis: UIs,
) -> None:
    reply = uis.questions.random(invocation(ALICE), ["sytem-design"], NOW)

    assert reply.text.startswith(
        "There's no category `sytem-design`. Did you mean `system-design`?"
    )
    assert (
        "`databases`" in reply.text and "or a difficulty: `junior`, `mid`, `senior`" in reply.text
    )
    assert reply.blocks is None


def test_random_with_an_unknown_word_lists_the_choices_without_a_guess(uis: UIs) -> None:
    reply = uis.questions.random(invocation(ALICE), ["zzzz"], NOW)

    assert reply.text.startswith("There's no category `zzzz`. Choose a category: `api-design`")
    assert "Did you mean" not in reply.text


def test_random_with_filters_that_match_nothing_says_to_try_fewer(uis: UIs) -> None:
    reply = uis.questions.random(invocation(ALICE), ["security", "junior"], NOW)

    assert reply.text == "No question matches all of those filters; try fewer of them."


def test_random_shows_a_typed_filter_without_its_markup(uis: UIs) -> None:
    reply = uis.questions.random(invocation(ALICE), ["<@UBOB>"], NOW)

    assert "&lt;@ubob&gt;" in reply.text
    assert "<@" not in reply.text


# -- /interview ask ----------------------------------------------------------------------------


def test_ask_a_known_id_shows_the_question_but_not_the_sample_answer(uis: UIs) -> None:
    question = BANK.get("cache-invalidation")
    assert question is not None

    reply = uis.questions.ask(invocation(ALICE), ["Cache-Invalidation"], NOW)

    assert reply.text == f"Practice: {question.question}"
    assert card_context(reply.blocks).endswith("`cache-invalidation`")
    assert question.sample_answer not in str(reply.blocks)


def test_ask_an_unknown_id_suggests_the_closest_and_lists_ids(uis: UIs) -> None:
    reply = uis.questions.ask(invocation(ALICE), ["cache-invalidaton"], NOW)

    assert reply.text.startswith(
        "There's no question `cache-invalidaton`. Did you mean `cache-invalidation`? Question ids: "
    )
    assert "`signup-login-service`" in reply.text
    assert reply.blocks is None


def test_show_with_the_sample_adds_what_the_interviewer_looks_for(uis: UIs) -> None:
    question = BANK.get("cache-invalidation")
    assert question is not None

    reply = uis.questions.show(TEAM, "cache-invalidation", sample=True)

    shown = str(reply.blocks)
    assert "What the interviewer is looking for" in shown and "Sample answer" in shown
    assert button_labels(reply.blocks) == ["Post to channel"]


# -- /interview categories ---------------------------------------------------------------------


def test_categories_lists_every_category_with_its_count_and_the_difficulties(uis: UIs) -> None:
    reply = uis.questions.categories(invocation(ALICE, "categories"), [], NOW)

    lines = reply.text.splitlines()
    assert lines[0] == "*Categories*"
    for category, count in BANK.categories().items():
        assert f"• `{category}` — {count} question{'s' if count != 1 else ''}" in lines
    assert "*Difficulties:* `junior` (4), `mid` (11), `senior` (9)" in lines


def test_categories_include_the_teams_own(uis: UIs) -> None:
    assert uis.questions.submit_question(TEAM, ALICE, VALID, NOW) is None

    waiting = uis.questions.categories(invocation(BOB), [], NOW)
    approve(uis)
    reply = uis.questions.categories(invocation(BOB), [], NOW)

    assert "incident-response" not in waiting.text  # not until an admin approves it
    assert "• `incident-response` — 1 question" in reply.text


# -- /interview add and questions mine ---------------------------------------------------------


def test_questions_mine_without_any_says_how_to_add_one(uis: UIs) -> None:
    reply = uis.questions.questions(invocation(ALICE, "questions mine"), ["mine"], NOW)

    assert reply.text == "You haven't added any questions yet. `/interview add` opens the form."


def test_add_opens_the_form_for_the_channel(uis: UIs) -> None:
    trigger = uis.fake.new_trigger_id()

    reply = uis.questions.add(invocation(ALICE, "add", trigger_id=trigger), [], NOW)

    assert reply.text == ""
    (call,) = uis.fake.calls("views.open")
    assert call.response and call.response["ok"]
    view = call.args["view"]
    assert view["callback_id"] == ADD_QUESTION_VIEW
    assert view["private_metadata"] == private_metadata(channel_id=CHANNEL)
    assert [b["block_id"] for b in view["blocks"]] == [
        "category",
        "question",
        "rationale",
        "sample_answer",
    ]


def test_add_without_a_trigger_asks_to_open_the_form_again(uis: UIs) -> None:
    reply = uis.questions.add(invocation(ALICE, "add"), [], NOW)

    assert reply.text == "Open the form again with `/interview add`."
    assert uis.fake.calls("views.open") == []


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        (
            "category",
            "system design!",
            "Use a short slug of letters, digits and dashes, e.g. `system-design`.",
        ),
        ("category", "", "Use a short slug of letters, digits and dashes, e.g. `system-design`."),
        ("question", "   ", "This field is required."),
        ("question", "?" * 1001, "Keep it under 1000 characters."),
        ("rationale", None, "This field is required."),
        ("rationale", "r" * 3001, "Keep it under 3000 characters."),
        ("sample_answer", "", "This field is required."),
        ("sample_answer", "s" * 3001, "Keep it under 3000 characters."),
    ],
)
def test_submit_question_shows_the_problem_under_its_field_and_saves_nothing(
    uis: UIs, field: str, value: str | None, error: str
) -> None:
    errors = uis.questions.submit_question(TEAM, ALICE, {**VALID, field: value}, NOW)

    assert errors == {field: error}
    assert uis.library.mine(TEAM, ALICE) == []


def test_a_saved_question_is_listed_by_questions_mine_for_its_author_only(uis: UIs) -> None:
    assert uis.questions.submit_question(TEAM, ALICE, VALID, NOW) is None

    mine = uis.questions.questions(invocation(ALICE), ["mine"], NOW)
    theirs = uis.questions.questions(invocation(BOB), ["mine"], NOW)
    approve(uis)
    approved = uis.questions.questions(invocation(ALICE), ["mine"], NOW)
    still_theirs = uis.questions.questions(invocation(BOB), ["mine"], NOW)

    line = (
        "• `custom-how-do-you-run-the-first` (incident-response) — "
        "How do you run the first hour of a production incident?"
    )
    assert mine.text == line + WAITING
    assert approved.text == line
    assert theirs.text.startswith("You haven't added any questions yet.")
    assert still_theirs.text.startswith("You haven't added any questions yet.")


def test_a_saved_question_can_be_asked_and_drawn_by_its_category(uis: UIs) -> None:
    assert uis.questions.submit_question(TEAM, ALICE, VALID, NOW) is None

    # Waiting for approval: its author and admins can ask it, nobody else, and it isn't drawn.
    by_author = uis.questions.ask(invocation(ALICE), [VALID_ID], NOW)
    by_admin = uis.questions.ask(invocation(LEAD), [VALID_ID], NOW)
    by_other = uis.questions.ask(invocation(BOB), [VALID_ID], NOW)
    not_drawn = uis.questions.random(invocation(BOB), ["incident-response"], NOW)

    waiting = f"Team question (waiting for an admin's approval): {VALID['question']}"
    assert by_author.text == by_admin.text == waiting
    assert button_labels(by_author.blocks) == []
    assert button_labels(by_admin.blocks) == ["Approve", "Reject"]
    assert by_other.text.startswith(f"There's no question `{VALID_ID}`.")
    assert "first hour of a production incident" not in by_other.text + str(by_other.blocks)
    assert not_drawn.text.startswith("There's no category `incident-response`.")
    assert not_drawn.blocks is None

    # Once an admin approves it, anyone can ask it and draw it by its category.
    approve(uis)
    asked = uis.questions.ask(invocation(BOB), [VALID_ID], NOW)
    drawn = uis.questions.random(invocation(BOB), ["incident-response"], NOW)

    assert asked.text == f"Practice: {VALID['question']}"
    assert card_context(drawn.blocks) == (
        f"*Incident response* · a team question added by <@{ALICE}> · "
        "`custom-how-do-you-run-the-first`"
    )


def test_the_same_question_twice_gets_a_second_id(uis: UIs) -> None:
    assert uis.questions.submit_question(TEAM, ALICE, VALID, NOW) is None
    assert uis.questions.submit_question(TEAM, BOB, VALID, NOW) is None

    reply = uis.questions.questions(invocation(BOB), ["mine"], NOW)

    assert reply.text.startswith("• `custom-how-do-you-run-the-first-2` (incident-response)")


def test_after_a_saved_question_only_its_author_is_told_its_id(uis: UIs) -> None:
    assert uis.questions.submit_question(TEAM, ALICE, VALID, NOW) is None

    uis.questions.after_question(TEAM, ALICE, private_metadata(channel_id=CHANNEL))

    (note,) = uis.fake.ephemerals(CHANNEL)
    assert note["user"] == ALICE
    assert note["text"] == (
        "Added `custom-how-do-you-run-the-first` to this workspace's questions "
        "(incident-response). An admin must approve it before it is used in the daily question "
        "or drawn by `/interview random`; I'll tell you when they have. "
        "`/interview ask custom-how-do-you-run-the-first` shows it."
    )
    assert uis.fake.messages(CHANNEL) == []


def test_after_a_question_a_failed_confirmation_is_not_an_error(uis: UIs) -> None:
    assert uis.questions.submit_question(TEAM, ALICE, VALID, NOW) is None
    uis.fake.fail_next("chat.postEphemeral", "channel_not_found")

    uis.questions.after_question(TEAM, ALICE, private_metadata(channel_id=CHANNEL))

    assert uis.fake.ephemerals() == []
