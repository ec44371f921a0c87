"""Block Kit for rounds: the question, its blind-answer form and counter, the reminder, the
reveal. Pure: domain values in, Block Kit out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.questions.bank import Question
from bot.questions.render import category_label, question_meta, question_text
from bot.slack.blocks import (
    Message,
    context,
    finish,
    md,
    modal,
    plain,
    sections,
    text_input,
)
from bot.slack.mrkdwn import (
    SECTION_LIMIT,
    chunks,
    escape,
    neutralize,
    plural,
    quote,
    slack_time,
)

TITLE = "Interview question of the day"
PRACTICE_TITLE = "Practice question"
# action and view ids (the handlers route on these; kept as they were, so buttons on messages
# posted before an upgrade still work)
ANSWER_BUTTON = "blind_answer_open"
ANSWER_VIEW = "blind_answer_submit"
ANSWER_INPUT = ("answer", "text")
REVEAL_BUTTON = "round_reveal"


@dataclass(frozen=True)
class QuestionPost:
    question: Question
    reveal_at: datetime
    timezone: str
    vote_emoji: str = "+1"
    round_id: int = 0
    practice: bool = False
    posted_by: str | None = None  # who posted a practice question to the channel
    added_by: str | None = None  # who added a team question
    blind: bool = False
    answered: int | None = None  # people who answered so far; None: not shown
    # plain names for the credited people, for the first post (a mention there would notify)
    names: Mapping[str, str] | None = None

    def credited(self) -> list[str]:
        """Who the post names: its poster and its question's author."""
        return [user for user in (self.posted_by, self.added_by) if user]


def answered_so_far(count: int, reveal_at: datetime, timezone: str) -> str:
    """The live line on an open question: "3 answered so far, reveal at 16:00"."""
    so_far = "Nobody answered yet" if count == 0 else f"{count} answered so far"
    return f"{so_far}, reveal at {slack_time(reveal_at, timezone)}"


def question_message(post: QuestionPost) -> Message:
    q = post.question
    title = PRACTICE_TITLE if post.practice else TITLE
    when = slack_time(post.reveal_at, post.timezone)
    if post.blind:
        how = (
            "Answer privately with the *Answer* button (you can change it until the reveal) · "
            f"all answers are posted here at {when}"
        )
    else:
        how = (
            f"Answer in this thread · vote for the answers you find best with "
            f":{post.vote_emoji}: · sample answer revealed at {when}"
        )
    blocks: list[Block] = [
        HeaderBlock(text=plain(f":thought_balloon: {title}")),
        ContextBlock(
            elements=[
                md(
                    question_meta(
                        q, posted_by=post.posted_by, added_by=post.added_by, names=post.names
                    )
                )
            ]
        ),
        *sections(f"*{question_text(q.question)}*"),
        ContextBlock(elements=[md(how)]),
    ]
    if post.answered is not None:
        line = answered_so_far(post.answered, post.reveal_at, post.timezone)
        blocks.append(ContextBlock(elements=[md(f":busts_in_silhouette: {line}")]))
    buttons = []
    if post.blind:
        buttons.append(
            ButtonElement(
                text="Answer", action_id=ANSWER_BUTTON, value=str(post.round_id), style="primary"
            )
        )
    if post.practice:
        buttons.append(
            ButtonElement(text="Reveal now", action_id=REVEAL_BUTTON, value=str(post.round_id))
        )
    if buttons:
        blocks.append(ActionsBlock(elements=buttons))
    return finish(f"{title} ({category_label(q.category)}): {question_text(q.question)}", blocks)


def closed_question_message(
    question: Question,
    answer_count: int,
    practice: bool = False,
    *,
    posted_by: str | None = None,
    added_by: str | None = None,
) -> Message:
    title = PRACTICE_TITLE if practice else TITLE
    blocks = [
        HeaderBlock(text=plain(f":lock: {title} (closed)")),
        ContextBlock(
            elements=[md(question_meta(question, posted_by=posted_by, added_by=added_by))]
        ),
        *sections(f"*{question_text(question.question)}*"),
        ContextBlock(
            elements=[
                md(
                    f"Closed · {plural(answer_count, 'person', 'people')} answered · the reveal is in the thread"
                )
            ]
        ),
    ]
    return finish(f"{title} (closed): {question_text(question.question)}", blocks)


@dataclass(frozen=True)
class RevealedAnswer:
    user_id: str
    text: str
    votes: int


def reveal_message(
    question: Question,
    participants: Sequence[str],
    top: Sequence[RevealedAnswer],
    vote_emoji: str,
    blind: bool = False,
    names: Mapping[str, str] | None = None,
) -> Message:
    """The reveal. `names` holds plain names for people to name without a mention (a mention
    in a new message notifies; the reveal edits the mentions in afterwards)."""

    def who(user: str) -> str:
        plain_name = (names or {}).get(user)
        return f"*{escape(plain_name)}*" if plain_name is not None else f"<@{user}>"

    blocks: list[Block] = [
        HeaderBlock(text=plain(":bulb: The reveal")),
        *sections(f"*What the interviewer is looking for*\n{question_text(question.rationale)}"),
        *sections(f"*Sample answer*\n{question_text(question.sample_answer)}"),
        DividerBlock(),
    ]
    if participants:
        everyone = ", ".join(who(user) for user in participants)
        blocks.append(
            SectionBlock(
                text=md(f"*{plural(len(participants), 'person', 'people')} answered:* {everyone}")
            )
        )
    else:
        blocks.append(
            SectionBlock(text=md("*Nobody answered this time.* There's always tomorrow."))
        )
    if blind and participants:
        blocks.append(
            ContextBlock(
                elements=[md(f"Vote for the answers above with :{vote_emoji}: — votes count.")]
            )
        )
    elif top:
        label = "Top-voted answer" if len(top) == 1 else "Top-voted answers (tied)"
        votes = top[0].votes
        blocks.append(SectionBlock(text=md(f"*{label}* · {plural(votes, f':{vote_emoji}: vote')}")))
        for answer in top[:5]:
            quoted = quote(neutralize(answer.text))  # thread replies come from Slack, escaped
            blocks.append(SectionBlock(text=md(f"{who(answer.user_id)}\n{quoted}")))
    elif participants:
        blocks.append(ContextBlock(elements=[md("No votes this round.")]))
    text = (
        f"The reveal: {plural(len(participants), 'person', 'people')} answered. "
        f"Sample answer: {question_text(question.sample_answer)}"
    )
    return finish(text, blocks)


def blind_counter_message(count: int, reveal_at: datetime, timezone: str) -> Message:
    so_far = "No answers yet" if count == 0 else f"{plural(count, 'answer')} so far"
    text = (
        f"{so_far} · all answers are posted here at the reveal, {slack_time(reveal_at, timezone)}"
    )
    return finish(so_far, [ContextBlock(elements=[md(f":lock: {text}")])])


def blind_answer_message(user_id: str, answer: str, name: str | None = None) -> Message:
    """A private answer made public at the reveal: attributed, escaped, split to fit. With a
    `name`, attributed by plain name (no mention, so no notification)."""
    author = escape(name) if name is not None else f"<@{user_id}>"
    pieces = chunks(quote(escape(answer)), SECTION_LIMIT)  # typed in a modal: raw text
    blocks: list[Block] = [SectionBlock(text=md(f"*Answer from {author}*"))]
    blocks += [SectionBlock(text=MarkdownTextObject(text=piece)) for piece in pieces]
    return finish(f"Answer from {author}: {escape(answer)}", blocks)


def reminder_message(
    count: int, reveal_at: datetime, timezone: str, blind: bool = False
) -> Message:
    """Sent to the channel from the question's thread; names nobody."""
    how = "press *Answer* on the question" if blind else "answer in this thread"
    line = answered_so_far(count, reveal_at, timezone)
    text = f":alarm_clock: {line}. Still time to join: {how}."
    return finish(f"{line}. Still time to answer.", [SectionBlock(text=md(text))])


def answer_modal(question: Question, round_id: int, current: str | None) -> dict[str, Any]:
    block_id, action_id = ANSWER_INPUT
    blocks: list[Block] = [
        *sections(f"*{question_text(question.question)}*"),
        context("Only you see your answer until the reveal; you can change it until then."),
        text_input(
            block_id,
            "Answer",
            hint="",
            initial=current,
            multiline=True,
            max_length=3000,
            action_id=action_id,
        ),
    ]
    return modal(ANSWER_VIEW, "Your answer", "Save answer", blocks, round_id=round_id)
