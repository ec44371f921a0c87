"""Block Kit for questions: practice cards, the bank's categories, a team's own questions and
the form to add one. Pure: domain values in, Block Kit out."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    InputBlock,
    PlainTextInputElement,
)
from slack_sdk.models.views import View

from bot.questions.bank import Question
from bot.slack.blocks import Message, finish, finish_view, md, plain, sections
from bot.slack.mrkdwn import (
    escape,
    fit,
)

SHOW_SAMPLE_BUTTON = "practice_show_sample"
POST_PRACTICE_BUTTON = "practice_post"
ADD_QUESTION_VIEW = "question_add_submit"

_ACRONYMS = {"api": "API", "sql": "SQL", "nosql": "NoSQL", "ci": "CI", "cd": "CD", "sre": "SRE"}


def category_label(slug: str) -> str:
    """`api-design` -> "API design"."""
    words = [_ACRONYMS.get(word, word) for word in slug.split("-")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def question_meta(q: Question) -> str:
    return f"*{category_label(q.category)}*" + (f" · {q.difficulty}" if q.difficulty else "")


def practice_card(question: Question, *, sample: bool = False) -> Message:
    """A question shown only to the caller, with buttons to see the sample or post it."""
    blocks: list[Block] = [
        ContextBlock(elements=[md(f"{question_meta(question)} · `{question.id}`")]),
        *sections(f"*{escape(question.question)}*"),
    ]
    if sample:
        blocks += [
            DividerBlock(),
            *sections(f"*What the interviewer is looking for*\n{escape(question.rationale)}"),
            *sections(f"*Sample answer*\n{escape(question.sample_answer)}"),
        ]
    buttons = [
        ButtonElement(
            text="Post to channel",
            action_id=POST_PRACTICE_BUTTON,
            value=question.id,
            style="primary",
        )
    ]
    if not sample:
        buttons.insert(
            0,
            ButtonElement(
                text="Show sample answer", action_id=SHOW_SAMPLE_BUTTON, value=question.id
            ),
        )
    blocks.append(ActionsBlock(elements=buttons))
    return finish(f"Practice: {escape(question.question)}", blocks)


def categories_message(categories: Mapping[str, int], difficulties: Mapping[str, int]) -> str:
    lines = ["*Categories*"] + [
        f"• `{c}` — {n} question{'s' if n != 1 else ''}" for c, n in categories.items()
    ]
    if difficulties:
        lines.append(
            "*Difficulties:* " + ", ".join(f"`{d}` ({n})" for d, n in difficulties.items())
        )
    lines.append("Try `/interview random system-design` or `/interview random senior`.")
    return "\n".join(lines)


def questions_list(questions: Sequence[Question], empty: str) -> str:
    if not questions:
        return empty
    lines = [f"• `{q.id}` ({q.category}) — {escape(fit(q.question, 150))}" for q in questions[:40]]
    more = f"\n…and {len(questions) - 40} more" if len(questions) > 40 else ""
    return "\n".join(lines) + more


def add_question_modal(channel_id: str, categories: Sequence[str]) -> dict[str, Any]:
    def field(name: str, label: str, multiline: bool, hint: str, max_length: int) -> InputBlock:
        return InputBlock(
            block_id=name,
            label=plain(label),
            hint=plain(hint),
            element=PlainTextInputElement(
                action_id=name, multiline=multiline, max_length=max_length
            ),
        )

    return finish_view(
        View(
            type="modal",
            callback_id=ADD_QUESTION_VIEW,
            private_metadata=json.dumps({"channel_id": channel_id}),
            title=plain("Add a question"),
            submit=plain("Add"),
            close=plain("Cancel"),
            blocks=[
                field("category", "Category", False, "e.g. " + ", ".join(list(categories)[:4]), 64),
                field("question", "Question", True, "What the candidate is asked", 1000),
                field(
                    "rationale",
                    "What the interviewer is looking for",
                    True,
                    "Shown at the reveal",
                    3000,
                ),
                field("sample_answer", "Sample answer", True, "Shown at the reveal", 3000),
            ],
        )
    )
