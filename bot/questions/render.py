"""Block Kit for questions: practice cards, the bank's categories, a team's own questions, the
form to add or edit one and the list admins approve them from. Pure: domain values in, Block Kit
out. A question's own text goes through :func:`question_text`: escaped, links as plain text."""

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
from bot.questions.model import TeamQuestion
from bot.slack.blocks import (
    MESSAGE_BLOCKS,
    Message,
    context,
    finish,
    md,
    modal,
    sections,
    text_input,
)
from bot.slack.mrkdwn import (
    escape,
    fit,
    plain_links,
)
from storage.states import QuestionStatus

SHOW_SAMPLE_BUTTON = "practice_show_sample"
POST_PRACTICE_BUTTON = "practice_post"
ADD_QUESTION_VIEW = "question_add_submit"
EDIT_QUESTION_VIEW = "question_edit_submit"
APPROVE_BUTTON = "question_approve"
REJECT_BUTTON = "question_reject"
PENDING_SHOWN = 5  # questions per pending list, each in full (up to 8 blocks of a message's 50)

_ACRONYMS = {"api": "API", "sql": "SQL", "nosql": "NoSQL", "ci": "CI", "cd": "CD", "sre": "SRE"}


def category_label(slug: str) -> str:
    """`api-design` -> "API design"."""
    words = [_ACRONYMS.get(word, word) for word in slug.split("-")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def question_text(text: str) -> str:
    """A question's question, rationale or sample answer for mrkdwn: escaped, so it can't
    mention anyone or forge a link, and its web addresses readable but not links (anyone may
    write a team question; the bot must not post a live link under its name)."""
    return plain_links(escape(text))


def question_meta(
    q: Question,
    *,
    posted_by: str | None = None,
    added_by: str | None = None,
    names: Mapping[str, str] | None = None,
) -> str:
    """Category and difficulty, escaped: a bank file is text someone typed too; then who posted
    it for practice and, for a team's own question, who added it."""
    meta = f"*{escape(category_label(q.category))}*"
    meta += f" · {escape(q.difficulty)}" if q.difficulty else ""
    return meta + credits(posted_by=posted_by, added_by=added_by, names=names)


def credits(
    *,
    posted_by: str | None = None,
    added_by: str | None = None,
    names: Mapping[str, str] | None = None,
) -> str:
    """` · posted by @a · added by @b`, the parts that are known (a forgotten person is not).
    `names` holds plain names for people to name without a mention (a mention in a new message
    notifies; the post edits the mentions in afterwards)."""

    def who(user: str) -> str:
        plain_name = (names or {}).get(user)
        return f"*{escape(plain_name)}*" if plain_name is not None else f"<@{user}>"

    parts = [f"posted by {who(posted_by)}"] if posted_by else []
    parts += [f"a team question added by {who(added_by)}"] if added_by else []
    return "".join(f" · {part}" for part in parts)


def practice_card(
    question: Question, *, sample: bool = False, added_by: str | None = None
) -> Message:
    """A question shown only to the caller, with buttons to see the sample or post it; a team
    question says who added it."""
    meta = question_meta(question, added_by=added_by)
    blocks: list[Block] = [
        ContextBlock(elements=[md(f"{meta} · `{question.id}`")]),
        *sections(f"*{question_text(question.question)}*"),
    ]
    if sample:
        blocks += [DividerBlock(), *_answer_sections(question)]
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
    return finish(f"Practice: {question_text(question.question)}", blocks)


def _answer_sections(question: Question) -> list[Block]:
    return [
        *sections(f"*What the interviewer is looking for*\n{question_text(question.rationale)}"),
        *sections(f"*Sample answer*\n{question_text(question.sample_answer)}"),
    ]


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


STATES = {
    QuestionStatus.PENDING: "waiting for an admin's approval",
    QuestionStatus.REJECTED: "not approved",
}


def questions_list(questions: Sequence[Question | TeamQuestion], empty: str) -> str:
    """One line per question; a team question not (yet) in use says why."""
    if not questions:
        return empty
    lines = []
    for item in questions[:40]:
        q = item.question if isinstance(item, TeamQuestion) else item
        state = STATES.get(item.status) if isinstance(item, TeamQuestion) else None
        note = f" · _{state}_" if state else ""
        lines.append(f"• `{q.id}` ({q.category}) — {question_text(fit(q.question, 150))}{note}")
    more = f"\n…and {len(questions) - 40} more" if len(questions) > 40 else ""
    return "\n".join(lines) + more


def review_card(item: TeamQuestion, *, buttons: bool) -> Message:
    """A team question that is not in use yet, in full, for its author or an admin; with
    Approve / Reject for an admin when it is pending."""
    q = item.question
    state = STATES.get(item.status, str(item.status))
    blocks: list[Block] = [
        context(f"{question_meta(q)} · `{q.id}` · added by <@{item.added_by}> · _{state}_"),
        *sections(f"*{question_text(q.question)}*"),
        *_answer_sections(q),
    ]
    if buttons and item.status == QuestionStatus.PENDING:
        blocks.append(_review_buttons(item))
    return finish(f"Team question ({state}): {question_text(q.question)}", blocks)


def pending_list(pending: Sequence[TeamQuestion], note: str = "") -> Message:
    """What admins approve from: each waiting question in full, with Approve and Reject.
    `note` (what just happened) goes first."""
    head = f"{note}\n\n" if note else ""
    if not pending:
        text = f"{head}No team questions are waiting for approval."
        return finish(text, [*sections(text)])
    count = len(pending)
    title = f"*{count} team question{'s' if count != 1 else ''} waiting for approval*"
    blocks: list[Block] = [
        *sections(f"{head}{title}\nApproved ones join the daily rotation and practice draws.")
    ]
    shown = 0
    for item in pending[:PENDING_SHOWN]:
        q = item.question
        entry: list[Block] = [
            DividerBlock(),
            context(f"{question_meta(q)} · `{q.id}` · added by <@{item.added_by}>"),
            *sections(f"*{question_text(q.question)}*"),
            *_answer_sections(q),
            _review_buttons(item),
        ]
        if len(blocks) + len(entry) > MESSAGE_BLOCKS - 1:  # whole entries only, and the note
            break
        blocks += entry
        shown += 1
    if count > shown:
        blocks.append(context(f"…and {count - shown} more after these."))
    return finish(f"{head}{count} team question{'s' if count != 1 else ''} waiting", blocks)


def _review_buttons(item: TeamQuestion) -> ActionsBlock:
    """The value names the question and the version the admin reads: a review applies to it."""
    value = review_value(item)
    return ActionsBlock(
        elements=[
            ButtonElement(text="Approve", action_id=APPROVE_BUTTON, value=value, style="primary"),
            ButtonElement(text="Reject", action_id=REJECT_BUTTON, value=value, style="danger"),
        ]
    )


def review_value(item: TeamQuestion) -> str:
    return f"{item.id}:{item.version}"


def parse_review_value(value: str) -> tuple[str, str] | None:
    """(question id, version) from an Approve or Reject button; None for anything else."""
    question_id, _, version = value.partition(":")
    if not question_id or len(question_id) > 128 or len(version) != 12:
        return None
    return question_id, version


def _question_fields(categories: Sequence[str], current: Question | None) -> list[Block]:
    def long_text(name: str, label: str, hint: str, limit: int = 3000) -> InputBlock:
        initial = getattr(current, name) if current is not None else None
        return text_input(name, label, hint=hint, multiline=True, max_length=limit, initial=initial)

    return [
        text_input(
            "category",
            "Category",
            hint="e.g. " + ", ".join(list(categories)[:4]),
            max_length=64,
            initial=current.category if current is not None else None,
        ),
        long_text("question", "Question", "What the candidate is asked", 1000),
        long_text("rationale", "What the interviewer is looking for", "Shown at the reveal"),
        long_text("sample_answer", "Sample answer", "Shown at the reveal"),
    ]


def add_question_modal(channel_id: str, categories: Sequence[str]) -> dict[str, Any]:
    blocks = _question_fields(categories, None)
    return modal(ADD_QUESTION_VIEW, "Add a question", "Add", blocks, channel_id=channel_id)


def edit_question_modal(
    channel_id: str, item: TeamQuestion, categories: Sequence[str], note: str = ""
) -> dict[str, Any]:
    """The add form, filled in with the question as it is; `note` says what saving does."""
    blocks = _question_fields(categories, item.question)
    if note:
        blocks.append(context(note))
    return modal(
        EDIT_QUESTION_VIEW,
        "Edit a question",
        "Save",
        blocks,
        channel_id=channel_id,
        question_id=item.id,
    )
