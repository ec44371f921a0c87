"""Every message and view stays within Slack's Block Kit limits, with a text fallback."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.channels import render as channels_render
from bot.channels.schedule import parse_schedule
from bot.progress import render as progress_render
from bot.questions import render as questions_render
from bot.questions.bank import Question
from bot.rounds import render as rounds_render
from bot.slack.blocks import Message
from bot.slash import help_text

HUGE = "x" * 12_000
AT = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
BIG = Question(
    id="big", category="system-design", question="Why? " * 900, rationale=HUGE, sample_answer=HUGE
)


def check_message(message: Message, *, max_blocks: int = 50) -> None:
    text, blocks = message
    assert text and len(text) <= 40_000
    assert len(blocks) <= max_blocks
    for block in blocks:
        if block["type"] == "section" and "text" in block:
            assert len(block["text"]["text"]) <= 3000
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        for element in block.get("elements", []):
            if element.get("type") in ("mrkdwn", "plain_text"):
                assert len(element["text"]) <= 3000


@pytest.mark.parametrize(
    "message",
    [
        rounds_render.question_message(
            rounds_render.QuestionPost(BIG, AT, "UTC", blind=True, round_id=3)
        ),
        rounds_render.question_message(rounds_render.QuestionPost(BIG, AT, "UTC", practice=True)),
        rounds_render.closed_question_message(BIG, 12, practice=True),
        rounds_render.reveal_message(
            BIG,
            [f"U{i:08d}" for i in range(400)],
            [rounds_render.RevealedAnswer(f"U{i}", HUGE, 3) for i in range(8)],
            "+1",
        ),
        rounds_render.reveal_message(BIG, ["U1"], [], "+1", blind=True),
        rounds_render.blind_answer_message("U1", "y" * 200_000),
        rounds_render.blind_counter_message(7, AT, "Europe/Berlin"),
        rounds_render.reminder_message(2, AT, "Asia/Tokyo"),
        questions_render.practice_card(BIG, sample=True),
        questions_render.practice_card(BIG),
    ],
)
def test_messages_fit(message: Message) -> None:
    check_message(message)


def test_a_long_answer_is_split_not_lost_and_a_giant_one_is_cut_with_a_marker() -> None:
    _, blocks = rounds_render.blind_answer_message("U1", " ".join(["word"] * 2000))  # 9,999 chars
    body = "".join(b["text"]["text"] for b in blocks[1:])
    assert body.count("word") == 2000
    _, blocks = rounds_render.blind_answer_message("U1", "y" * 200_000)
    assert len(blocks) == 50 and "truncated" in blocks[-1]["elements"][0]["text"]


def test_views_fit() -> None:
    schedule = parse_schedule(
        ["09:30", "Europe/Berlin", "reveal-after", "90m", "holidays", "DE"], "UTC"
    )
    channels = [
        progress_render.ChannelProgress(f"C{i:06d}", schedule, i % 2 == 0, i, i, i, i)
        for i in range(300)
    ]
    for view in (
        progress_render.home_view(channels, is_admin=True, help_text=help_text()),
        rounds_render.answer_modal(BIG, 1, "z" * 2000),
        channels_render.schedule_modal("C1", schedule, "UTC"),
        channels_render.schedule_modal("C1", None, "Asia/Tokyo"),
        questions_render.add_question_modal("C1", ["system-design", "databases"]),
    ):
        assert len(view["blocks"]) <= 100
        for block in view["blocks"]:
            if block["type"] == "section":
                assert len(block["text"]["text"]) <= 3000
    modal = channels_render.schedule_modal("C1", schedule, "UTC")
    assert "after 1h30m" in str(modal)
