"""RoundsUI in-process: `/interview now|reveal`, the practice card's "Post to channel" and
"Reveal now" buttons, and the blind answer form, as the channel and the person see them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.channels.ui import INVITE_HINT
from bot.rounds.render import ANSWER_BUTTON, ANSWER_VIEW, REVEAL_BUTTON
from bot.rounds.ui import CLOSED
from storage.rounds import Round
from storage.states import RoundStatus
from tests.helpers import (
    ADMIN,
    ALICE,
    BANK,
    BOB,
    CHANNEL,
    NOW,
    OUTSIDE,
    TEAM,
    UIs,
    answer_in_thread,
    button_value,
    invocation,
    private_metadata,
    replies_in,
    top_level,
)

ALREADY_OPEN = (
    "A round is already open in this channel. Reveal it first with `/interview reveal`, "
    "or let it run until its reveal time."
)
NO_OPEN_ROUND = "There's no open round in this channel. Start one with `/interview now`."
LATER = NOW + timedelta(minutes=10)


def reveal_time(moment: datetime) -> str:
    """The start of how a reply writes the reveal time (Slack shows it in each reader's zone)."""
    return f"<!date^{int(moment.timestamp())}^{{time}}|"


def now_command(uis: UIs, words: str = "", user: str = ADMIN, channel: str = CHANNEL) -> str:
    """`/interview now <words>`; the reply's text."""
    inv = invocation(user, f"now {words}".strip(), channel=channel)
    return uis.rounds.now(inv, words.split(), NOW).text


def question_in_channel(uis: UIs) -> dict[str, Any]:
    (message,) = top_level(uis.fake)
    return message


def thread_replies(uis: UIs) -> list[str]:
    return [m["text"] for m in replies_in(uis.fake)]


def blind_round(uis: UIs) -> int:
    """A blind round opened in the practice channel; its id, from its Answer button."""
    uis.channels.mode(invocation(ADMIN), ["blind"], NOW)
    now_command(uis)
    return int(button_value(question_in_channel(uis), ANSWER_BUTTON))


def practice_round(uis: UIs, user: str = ALICE, question_id: str = "cache-invalidation") -> int:
    """A practice question posted from a card by `user`; its id, from its Reveal button."""
    reply = uis.rounds.post_practice(TEAM, CHANNEL, user, question_id, NOW)
    assert reply.text.startswith("Posted: "), reply.text
    return int(button_value(question_in_channel(uis), REVEAL_BUTTON))


# -- /interview now ----------------------------------------------------------------------------


def test_now_posts_a_question_and_replies_with_its_reveal_time(uis: UIs) -> None:
    text = now_command(uis)

    message = question_in_channel(uis)
    question = next(q for q in BANK.questions if message["text"].endswith(q.question))
    assert message["text"].startswith("Interview question of the day (")
    assert text.startswith(f"Posted: _{question.question}_ I'll reveal the answer at ")
    assert reveal_time(NOW + timedelta(hours=6)) in text  # no schedule: six hours to answer


def test_now_reveals_at_the_channels_reveal_time(uis: UIs) -> None:
    uis.channels.schedule(invocation(ADMIN), ["09:30", "Europe/Berlin", "reveal", "16:00"], NOW)

    text = now_command(uis)

    assert reveal_time(datetime(2025, 3, 3, 15, 0, tzinfo=UTC)) in text  # 16:00 in Berlin


def test_now_with_filters_posts_a_question_that_matches_them(uis: UIs) -> None:
    now_command(uis, "databases senior")

    question = BANK.get("zero-downtime-schema-migration")
    assert question is not None
    assert question_in_channel(uis)["text"] == (
        f"Interview question of the day (Databases): {question.question}"
    )


def test_now_with_an_unknown_filter_posts_nothing(uis: UIs) -> None:
    text = now_command(uis, "databasse")

    assert text.startswith("There's no category `databasse`. Did you mean `databases`?")
    assert uis.fake.calls("chat.postMessage") == []


def test_now_while_a_round_is_open_says_it_is_already_open(uis: UIs) -> None:
    now_command(uis)

    assert now_command(uis) == ALREADY_OPEN
    assert len(top_level(uis.fake)) == 1


def test_now_in_a_channel_the_bot_is_not_in_says_how_to_invite_it(uis: UIs) -> None:
    assert now_command(uis, channel=OUTSIDE) == INVITE_HINT


def test_now_after_slack_refused_the_post_can_be_tried_again(uis: UIs) -> None:
    uis.fake.fail_next("chat.postMessage", "internal_error")

    assert now_command(uis) == (
        "Slack did not accept the post (`internal_error`). "
        "Slack seems to be having trouble; try again in a few minutes."
    )
    assert top_level(uis.fake) == []

    assert now_command(uis).startswith("Posted: ")
    assert len(top_level(uis.fake)) == 1


# -- /interview reveal -------------------------------------------------------------------------


def test_reveal_without_an_open_round_says_to_start_one(uis: UIs) -> None:
    reply = uis.rounds.reveal(invocation(ADMIN, "reveal"), [], NOW)

    assert reply.text == NO_OPEN_ROUND
    assert uis.fake.calls("chat.postMessage") == []


def test_reveal_posts_the_sample_answer_and_closes_the_question(uis: UIs) -> None:
    now_command(uis)
    thread_ts = question_in_channel(uis)["ts"]
    answer_in_thread(uis, thread_ts, ALICE, "Use TTLs and events.", f"{NOW.timestamp() + 60:.6f}")

    reply = uis.rounds.reveal(invocation(ADMIN, "reveal"), [], LATER)

    assert reply.text == "Revealed. 1 answered."
    (reveal,) = thread_replies(uis)
    assert reveal.startswith("The reveal: 1 person answered. Sample answer: ")
    assert question_in_channel(uis)["text"].startswith("Interview question of the day (closed): ")
    assert uis.rounds.reveal(invocation(ADMIN, "reveal"), [], LATER).text == NO_OPEN_ROUND


def test_reveal_then_now_starts_a_second_round_the_same_day(uis: UIs) -> None:
    now_command(uis)
    uis.rounds.reveal(invocation(ADMIN), [], LATER)

    assert now_command(uis).startswith("Posted: ")
    assert len(top_level(uis.fake)) == 2


# -- practice questions posted from a card ------------------------------------------------------


def test_a_practice_question_is_posted_with_a_reveal_button(uis: UIs) -> None:
    question = BANK.get("cache-invalidation")
    assert question is not None

    reply = uis.rounds.post_practice(TEAM, CHANNEL, ALICE, "cache-invalidation", NOW)

    assert reply.text.startswith(f"Posted: _{question.question}_ I'll reveal the answer at ")
    message = question_in_channel(uis)
    assert message["text"] == f"Practice question (System design): {question.question}"
    assert button_value(message, REVEAL_BUTTON).isdigit()


def test_the_same_practice_question_twice_says_it_is_already_open(uis: UIs) -> None:
    practice_round(uis)

    reply = uis.rounds.post_practice(TEAM, CHANNEL, BOB, "cache-invalidation", NOW)

    assert reply.text == "That practice question is already open here."
    assert len(top_level(uis.fake)) == 1


def test_a_practice_question_that_is_not_in_the_bank_is_not_posted(uis: UIs) -> None:
    reply = uis.rounds.post_practice(TEAM, CHANNEL, ALICE, "cache-invalidaton", NOW)

    assert reply.text.startswith("There's no question `cache-invalidaton`.")
    assert uis.fake.calls("chat.postMessage") == []


def test_reveal_button_is_refused_to_someone_who_neither_posted_it_nor_is_an_admin(
    uis: UIs,
) -> None:
    round_id = practice_round(uis, user=ALICE)

    reply = uis.rounds.reveal_button(TEAM, BOB, round_id, LATER)

    assert reply is not None
    assert reply.text.startswith(
        "Only the person who posted this practice question, or an admin of this channel, can "
        f"reveal it. Ask one of them: <@{ALICE}>"
    )
    assert thread_replies(uis) == []


def test_reveal_button_reveals_for_the_person_who_posted_it_once(uis: UIs) -> None:
    round_id = practice_round(uis, user=ALICE)

    assert uis.rounds.reveal_button(TEAM, ALICE, round_id, LATER) is None
    (reveal,) = thread_replies(uis)
    assert reveal.startswith("The reveal: 0 people answered.")

    again = uis.rounds.reveal_button(TEAM, ALICE, round_id, LATER)
    assert again is not None and again.text == "This round is already revealed."
    assert len(thread_replies(uis)) == 1


def test_reveal_button_reveals_for_an_admin(uis: UIs) -> None:
    round_id = practice_round(uis, user=ALICE)

    assert uis.rounds.reveal_button(TEAM, ADMIN, round_id, LATER) is None
    assert len(thread_replies(uis)) == 1


def test_reveal_button_of_another_workspace_reveals_nothing(uis: UIs) -> None:
    round_id = practice_round(uis, user=ALICE)

    reply = uis.rounds.reveal_button("T0OTHER", ALICE, round_id, LATER)

    assert reply is not None
    assert thread_replies(uis) == []


# -- blind answers -----------------------------------------------------------------------------


def test_a_blind_round_asks_for_answers_through_a_form_and_counts_them(uis: UIs) -> None:
    round_id = blind_round(uis)

    (counter,) = thread_replies(uis)
    assert counter == "No answers yet"

    uis.rounds.open_answer_form(TEAM, round_id, ALICE, uis.fake.new_trigger_id())
    (opened,) = uis.fake.calls("views.open")
    assert opened.args["view"]["callback_id"] == ANSWER_VIEW
    metadata = opened.args["view"]["private_metadata"]

    assert uis.rounds.submit_answer(TEAM, ALICE, metadata, "Version keys.", NOW) is None
    uis.rounds.after_answer(TEAM, metadata)

    assert thread_replies(uis) == ["1 answer so far"]
    assert question_in_channel(uis)["text"].startswith("Interview question of the day (")


def test_an_answer_pressed_before_the_post_is_saved_is_taken(uis: UIs) -> None:
    """Slack shows the Answer button as soon as the post lands; the bot saves the post a moment
    later. A press in between opens the form and keeps the answer."""
    round_id = blind_round(uis)
    with uis.rounds.rounds.sessions.begin() as session:
        session.get_one(Round, round_id).status = RoundStatus.CLAIMED

    uis.rounds.open_answer_form(TEAM, round_id, ALICE, uis.fake.new_trigger_id())
    (opened,) = uis.fake.calls("views.open")
    metadata = opened.args["view"]["private_metadata"]
    assert uis.rounds.submit_answer(TEAM, ALICE, metadata, "Early bird.", NOW) is None

    with uis.rounds.rounds.sessions.begin() as session:
        session.get_one(Round, round_id).status = RoundStatus.OPEN
    assert uis.rounds.submit_answer(TEAM, BOB, metadata, "Second.", NOW) is None
    uis.rounds.reveal_button(TEAM, ADMIN, round_id, LATER)
    assert any("Early bird." in text for text in thread_replies(uis))  # in the reveal


def test_the_answer_form_opens_with_the_persons_saved_answer(uis: UIs) -> None:
    round_id = blind_round(uis)
    uis.rounds.submit_answer(TEAM, ALICE, private_metadata(round_id=round_id), "First draft.", NOW)

    uis.rounds.open_answer_form(TEAM, round_id, ALICE, uis.fake.new_trigger_id())

    (opened,) = uis.fake.calls("views.open")
    inputs = [b for b in opened.args["view"]["blocks"] if b["type"] == "input"]
    assert inputs[0]["element"]["initial_value"] == "First draft."


@pytest.mark.parametrize("text", [None, "", "   \n "])
def test_an_empty_blind_answer_asks_for_an_answer_first(uis: UIs, text: str | None) -> None:
    round_id = blind_round(uis)

    errors = uis.rounds.submit_answer(TEAM, ALICE, private_metadata(round_id=round_id), text, NOW)

    assert errors == {"answer": "Write an answer first."}


@pytest.mark.parametrize(
    "metadata", [None, "", "not json", "[]", private_metadata(), private_metadata(round_id="1")]
)
def test_a_blind_answer_from_an_out_of_date_form_asks_to_press_answer_again(
    uis: UIs, metadata: str | None
) -> None:
    blind_round(uis)

    errors = uis.rounds.submit_answer(TEAM, ALICE, metadata, "An answer.", NOW)

    assert errors == {"answer": "This form is out of date; press Answer on the question again."}


def test_a_blind_answer_after_the_reveal_says_answers_are_closed(uis: UIs) -> None:
    round_id = blind_round(uis)
    uis.rounds.reveal(invocation(ADMIN), [], LATER)

    errors = uis.rounds.submit_answer(
        TEAM, ALICE, private_metadata(round_id=round_id), "Too late.", LATER
    )

    assert errors == {"answer": CLOSED}
    assert "Too late." not in str(uis.fake.messages(CHANNEL))


def test_the_answer_button_after_the_reveal_says_answers_are_closed(uis: UIs) -> None:
    round_id = blind_round(uis)
    uis.rounds.reveal(invocation(ADMIN), [], LATER)

    reply = uis.rounds.open_answer_form(TEAM, round_id, ALICE, uis.fake.new_trigger_id())

    assert reply is not None and reply.text == CLOSED
    assert uis.fake.calls("views.open") == []


def test_the_reveal_of_a_blind_round_posts_each_answer_escaped_and_attributed(uis: UIs) -> None:
    round_id = blind_round(uis)
    metadata = private_metadata(round_id=round_id)
    uis.rounds.submit_answer(TEAM, ALICE, metadata, "Ping <!channel> & cache", NOW)
    uis.rounds.submit_answer(TEAM, BOB, metadata, "TTLs.", NOW)
    uis.rounds.submit_answer(TEAM, BOB, metadata, "TTLs and versioned keys.", NOW)

    reply = uis.rounds.reveal(invocation(ADMIN), [], LATER)

    assert reply.text == "Revealed. 2 answered."
    replies = thread_replies(uis)
    assert "Answer from <@UALICE>: Ping &lt;!channel&gt; &amp; cache" in replies
    assert "Answer from <@UBOB>: TTLs and versioned keys." in replies
    assert "Answer from <@UBOB>: TTLs." not in replies
    assert replies[-1].startswith("The reveal: 2 people answered.")
