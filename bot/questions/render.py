"""Block Kit for questions: practice cards, the bank's categories, a team's own questions and
the form to add one. Pure: domain values in, Block Kit out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    InputBlock,
)

from bot.questions.bank import Question
from bot.slack.blocks import Message, finish, md, modal, sections, text_input
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
    """Category and difficulty, escaped: a bank file is text someone typed too."""
    meta = f"*{escape(category_label(q.category))}*"
    return meta + (f" · {escape(q.difficulty)}" if q.difficulty else "")


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
    def long_text(name: str, label: str, hint: str, limit: int = 3000) -> InputBlock:
        return text_input(name, label, hint=hint, multiline=True, max_length=limit)

    blocks = [
        text_input(
            "category", "Category", hint="e.g. " + ", ".join(list(categories)[:4]), max_length=64
        ),
        long_text("question", "Question", "What the candidate is asked", 1000),
        long_text("rationale", "What the interviewer is looking for", "Shown at the reveal"),
        long_text("sample_answer", "Sample answer", "Shown at the reveal"),
    ]
    return modal(ADD_QUESTION_VIEW, "Add a question", "Add", blocks, channel_id=channel_id)
