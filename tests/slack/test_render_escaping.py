"""Text the bot reposts can never ping people or forge links, and is not escaped twice."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.questions import render as questions_render
from bot.questions.bank import Question
from bot.rounds import render as rounds_render
from bot.slack.blocks import Message

LIVE = ("<!channel>", "<!here>", "<@UBOSS>", "<https://evil.example|click me>")
TEAM_QUESTION = Question(
    id="custom-x",
    category="security",
    question="Why <!here>?",
    rationale="Look for <!channel> awareness",
    sample_answer="See <https://evil.example|click me> and ask <@UBOSS> about R&D",
)


def everything(message: Message) -> str:
    text, blocks = message
    return text + json.dumps(blocks)


def test_a_team_question_cannot_ping_or_forge_links_anywhere() -> None:
    at = datetime(2026, 12, 1, 15, tzinfo=UTC)
    for message in (
        rounds_render.question_message(rounds_render.QuestionPost(TEAM_QUESTION, at, "UTC")),
        rounds_render.closed_question_message(TEAM_QUESTION, 3),
        rounds_render.reveal_message(TEAM_QUESTION, ["U1"], [], "+1"),
        questions_render.practice_card(TEAM_QUESTION, sample=True),
    ):
        rendered = everything(message)
        for live in LIVE:
            assert live not in rendered
    assert "R&amp;D" in everything(rounds_render.reveal_message(TEAM_QUESTION, [], [], "+1"))


def test_a_thread_answer_is_disarmed_but_not_escaped_twice() -> None:
    # Slack delivers `List<String> when a < b && c` already escaped, plus a live mention.
    from_slack = "List&lt;String&gt; when a &lt; b &amp;&amp; c <!channel>"
    top = [rounds_render.RevealedAnswer("U1", from_slack, 2)]
    rendered = everything(rounds_render.reveal_message(TEAM_QUESTION, ["U1"], top, "+1"))
    assert "List&lt;String&gt; when a &lt; b &amp;&amp; c &lt;!channel&gt;" in rendered
    assert "&amp;lt;" not in rendered and "<!channel>" not in rendered


def test_a_blind_answer_typed_in_a_modal_is_fully_escaped() -> None:
    rendered = everything(rounds_render.blind_answer_message("U1", "a < b && <@UBOSS>"))
    assert "a &lt; b &amp;&amp; &lt;@UBOSS&gt;" in rendered and "<@UBOSS>" not in rendered


def test_a_bank_difficulty_cannot_ping_the_channel() -> None:
    question = Question(
        id="q",
        category="databases",
        question="Q?",
        rationale="R",
        sample_answer="S",
        difficulty="<!channel> hard",
    )
    assert "<!channel>" not in questions_render.question_meta(question)
    assert "<!channel>" not in json.dumps(questions_render.practice_card(question))
    post = rounds_render.QuestionPost(question, datetime(2026, 1, 1, tzinfo=UTC), "UTC")
    assert "<!channel>" not in json.dumps(rounds_render.question_message(post))
