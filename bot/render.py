"""Block Kit for the bot's messages. Pure functions: domain values in, (text, blocks) out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.questions import Question
from bot.schedule import Schedule

SECTION_LIMIT = 3000
TRUNCATION_MARK = "… _(truncated)_"

TITLE = "Interview question of the day"

Message = tuple[str, list[dict]]


def escape(text: str) -> str:
    """Escape user text for mrkdwn so it cannot mention people or forge links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fit(text: str, limit: int = SECTION_LIMIT) -> str:
    """Cut text to Slack's limit with a visible marker."""
    if len(text) <= limit:
        return text
    return text[: limit - len(TRUNCATION_MARK)].rstrip() + TRUNCATION_MARK


_ACRONYMS = {"api": "API", "sql": "SQL", "nosql": "NoSQL", "ci": "CI", "cd": "CD", "sre": "SRE"}


def category_label(slug: str) -> str:
    """`api-design` -> "API design"."""
    words = [_ACRONYMS.get(word, word) for word in slug.split("-")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def slack_time(moment: datetime, fallback_zone: str) -> str:
    """A time every reader sees in their own zone (Slack date formatting), with a fallback."""
    local = moment.astimezone(ZoneInfo(fallback_zone))
    fallback = f"{local:%H:%M} {fallback_zone}"
    return f"<!date^{int(moment.timestamp())}^{{time}}|{fallback}>"


def slack_date_time(moment: datetime, fallback_zone: str) -> str:
    """Date and time in each reader's own zone, e.g. "Tomorrow at 9:30 AM"."""
    local = moment.astimezone(ZoneInfo(fallback_zone))
    fallback = f"{local:%a %d %b %H:%M} {fallback_zone}"
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def _md(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=fit(text))


def _dicts(blocks: Sequence[Block]) -> list[dict]:
    return [block.to_dict() for block in blocks]


@dataclass(frozen=True)
class QuestionPost:
    question: Question
    reveal_at: datetime
    timezone: str
    vote_emoji: str = "+1"


def question_message(post: QuestionPost) -> Message:
    q = post.question
    title = TITLE
    meta = f"*{category_label(q.category)}*" + (f" · {q.difficulty}" if q.difficulty else "")
    how = (
        f"Answer in this thread · vote for the answers you find best with :{post.vote_emoji}: · "
        f"sample answer revealed at {slack_time(post.reveal_at, post.timezone)}"
    )
    blocks = [
        HeaderBlock(text=PlainTextObject(text=f":thought_balloon: {title}", emoji=True)),
        ContextBlock(elements=[_md(meta)]),
        SectionBlock(text=_md(f"*{q.question}*")),
        ContextBlock(elements=[_md(how)]),
    ]
    text = f"{title} ({category_label(q.category)}): {q.question}"
    return text, _dicts(blocks)


def closed_question_message(question: Question, answer_count: int) -> Message:
    title = TITLE
    people = _people(answer_count)
    blocks = [
        HeaderBlock(text=PlainTextObject(text=f":lock: {title} (closed)", emoji=True)),
        ContextBlock(elements=[_md(f"*{category_label(question.category)}*")]),
        SectionBlock(text=_md(f"*{question.question}*")),
        ContextBlock(elements=[_md(f"Closed · {people} answered · the reveal is in the thread")]),
    ]
    return f"{title} (closed): {question.question}", _dicts(blocks)


@dataclass(frozen=True)
class RevealedAnswer:
    user_id: str
    text: str
    votes: int


def reveal_message(
    question: Question, participants: Sequence[str], top: Sequence[RevealedAnswer], vote_emoji: str
) -> Message:
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=":bulb: The reveal", emoji=True)),
        SectionBlock(text=_md(f"*What the interviewer is looking for*\n{question.rationale}")),
        SectionBlock(text=_md(f"*Sample answer*\n{question.sample_answer}")),
        DividerBlock(),
    ]
    if participants:
        who = ", ".join(f"<@{user}>" for user in participants)
        blocks.append(SectionBlock(text=_md(f"*{_people(len(participants))} answered:* {who}")))
    else:
        blocks.append(
            SectionBlock(text=_md("*Nobody answered this time.* There's always tomorrow."))
        )
    if top:
        label = "Top-voted answer" if len(top) == 1 else "Top-voted answers (tied)"
        votes = top[0].votes
        blocks.append(
            SectionBlock(
                text=_md(f"*{label}* · {votes} :{vote_emoji}: vote{'s' if votes != 1 else ''}")
            )
        )
        for answer in top[:10]:
            quoted = "\n".join(f">{line}" for line in escape(answer.text).splitlines() or [""])
            blocks.append(SectionBlock(text=_md(f"<@{answer.user_id}>\n{quoted}")))
    elif participants:
        blocks.append(ContextBlock(elements=[_md("No votes this round.")]))
    text = (
        f"The reveal: {_people(len(participants))} answered. "
        f"Sample answer: {question.sample_answer}"
    )
    return text, _dicts(blocks)


def _people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"


def home_view(schedules: Sequence[tuple[str, Schedule, bool]]) -> dict:
    """The App Home tab: what the bot does and where it runs."""
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text="Interview practice", emoji=True)),
        SectionBlock(
            text=_md(
                "A daily interview question in your channel: answer in the thread, vote for the "
                "best answers, and see the sample answer and what interviewers look for at the "
                "reveal."
            )
        ),
        DividerBlock(),
        SectionBlock(text=_md("*Channels practising here*")),
    ]
    for channel_id, schedule, paused in schedules[:40]:
        state = " _(paused)_" if paused else ""
        blocks.append(SectionBlock(text=_md(f"<#{channel_id}> · {schedule.describe()}{state}")))
    if not schedules:
        blocks.append(
            ContextBlock(
                elements=[
                    _md(
                        "No channel has a daily question yet. In a channel, an admin types "
                        "`/interview schedule 09:30 Europe/Berlin weekdays reveal 16:00`."
                    )
                ]
            )
        )
    blocks += [DividerBlock(), SectionBlock(text=_md(HELP))]
    return {"type": "home", "blocks": _dicts(blocks)}


HELP = """*Interview practice* — a daily interview question for this channel.
• Answer in the question's thread; vote for the best answers with a reaction.
• At the reveal time I post the sample answer and what the interviewer is looking for.

*Commands*
`/interview help` — this message
`/interview now [category]` — start a round here right now _(admins)_
`/interview reveal` — reveal this channel's open round now _(admins)_
`/interview schedule HH:MM [Area/City] [weekdays|daily] [reveal HH:MM | reveal-after 2h] [holidays CC[-SUBDIV]] [categories a,b]` — post every day at that local time _(admins)_; without arguments it shows the schedule
`/interview pause` · `/interview resume` — stop or restart the daily question _(admins)_

Example: `/interview schedule 09:30 Europe/Berlin weekdays reveal 16:00 holidays DE-BY`"""
