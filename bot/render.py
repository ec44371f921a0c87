"""Block Kit for the bot's messages and views. Pure functions: domain values in, Block Kit out.

Every message stays within Slack's limits (50 blocks, 3,000 characters per section) and carries
a plain `text` fallback; long text is split into several sections or cut with a visible marker."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.questions import Question
from bot.schedule import Schedule

SECTION_LIMIT = 3000
MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
TEXT_LIMIT = 3000  # the notification/accessibility fallback; Slack truncates at 40,000
TRUNCATION_MARK = "… _(truncated)_"
TITLE = "Interview question of the day"
PRACTICE_TITLE = "Practice question"

# action and view ids (the handlers route on these)
ANSWER_BUTTON = "blind_answer_open"
ANSWER_VIEW = "blind_answer_submit"
ANSWER_INPUT = ("answer", "text")
REVEAL_BUTTON = "round_reveal"
SHOW_SAMPLE_BUTTON = "practice_show_sample"
POST_PRACTICE_BUTTON = "practice_post"
EDIT_SCHEDULE_BUTTON = "home_edit_schedule"
SCHEDULE_VIEW = "schedule_submit"
ADD_QUESTION_VIEW = "question_add_submit"

Message = tuple[str, list[dict]]


def escape(text: str) -> str:
    """Escape user text for mrkdwn so it cannot mention people or forge links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def neutralize(text: str) -> str:
    """Slack message text arrives with `&`, `<`, `>` already escaped; what is left in angle
    brackets are live mentions and links. Disarm those without escaping the entities twice."""
    return text.replace("<", "&lt;").replace(">", "&gt;")


def fit(text: str, limit: int = SECTION_LIMIT) -> str:
    """Cut text to a limit with a visible marker."""
    if len(text) <= limit:
        return text
    return text[: limit - len(TRUNCATION_MARK)].rstrip() + TRUNCATION_MARK


def chunks(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Split text into pieces under `limit`, at line or word breaks where possible."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut < limit // 2:
            cut = text.rfind(" ", 0, limit)
        if cut < limit // 2:
            cut = limit
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n ") if cut < len(text) else ""
    if text or not pieces:
        pieces.append(text)
    return pieces


def finish(text: str, blocks: Sequence[Block | dict], limit: int = MESSAGE_BLOCKS) -> Message:
    """The message as Slack accepts it: at most `limit` blocks, a non-empty text fallback."""
    dicts = [b.to_dict() if isinstance(b, Block) else b for b in blocks]
    if len(dicts) > limit:
        dicts = dicts[: limit - 1] + [
            ContextBlock(elements=[_md("_(more than fits in one message; truncated)_")]).to_dict()
        ]
    return fit(text or "Interview practice", TEXT_LIMIT), dicts


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


def _plain(text: str) -> PlainTextObject:
    return PlainTextObject(text=fit(text, 150), emoji=True)


def _sections(text: str) -> list[SectionBlock]:
    return [SectionBlock(text=MarkdownTextObject(text=piece)) for piece in chunks(text)]


def _quote(safe_text: str) -> str:
    """Block-quote text that is already escaped or neutralized."""
    return "\n".join(f">{line}" for line in safe_text.splitlines() or [""])


def _people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"


def _meta(q: Question) -> str:
    return f"*{category_label(q.category)}*" + (f" · {q.difficulty}" if q.difficulty else "")


# -- rounds ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionPost:
    question: Question
    reveal_at: datetime
    timezone: str
    vote_emoji: str = "+1"
    round_id: int = 0
    practice: bool = False
    blind: bool = False


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
        HeaderBlock(text=_plain(f":thought_balloon: {title}")),
        ContextBlock(elements=[_md(_meta(q))]),
        *_sections(f"*{escape(q.question)}*"),
        ContextBlock(elements=[_md(how)]),
    ]
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
    return finish(f"{title} ({category_label(q.category)}): {escape(q.question)}", blocks)


def closed_question_message(
    question: Question, answer_count: int, practice: bool = False
) -> Message:
    title = PRACTICE_TITLE if practice else TITLE
    blocks = [
        HeaderBlock(text=_plain(f":lock: {title} (closed)")),
        ContextBlock(elements=[_md(_meta(question))]),
        *_sections(f"*{escape(question.question)}*"),
        ContextBlock(
            elements=[
                _md(f"Closed · {_people(answer_count)} answered · the reveal is in the thread")
            ]
        ),
    ]
    return finish(f"{title} (closed): {escape(question.question)}", blocks)


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
) -> Message:
    blocks: list[Block] = [
        HeaderBlock(text=_plain(":bulb: The reveal")),
        *_sections(f"*What the interviewer is looking for*\n{escape(question.rationale)}"),
        *_sections(f"*Sample answer*\n{escape(question.sample_answer)}"),
        DividerBlock(),
    ]
    if participants:
        who = ", ".join(f"<@{user}>" for user in participants)
        blocks.append(SectionBlock(text=_md(f"*{_people(len(participants))} answered:* {who}")))
    else:
        blocks.append(
            SectionBlock(text=_md("*Nobody answered this time.* There's always tomorrow."))
        )
    if blind and participants:
        blocks.append(
            ContextBlock(
                elements=[_md(f"Vote for the answers above with :{vote_emoji}: — votes count.")]
            )
        )
    elif top:
        label = "Top-voted answer" if len(top) == 1 else "Top-voted answers (tied)"
        votes = top[0].votes
        plural = "s" if votes != 1 else ""
        blocks.append(SectionBlock(text=_md(f"*{label}* · {votes} :{vote_emoji}: vote{plural}")))
        for answer in top[:5]:
            quoted = _quote(neutralize(answer.text))  # thread replies come from Slack, escaped
            blocks.append(SectionBlock(text=_md(f"<@{answer.user_id}>\n{quoted}")))
    elif participants:
        blocks.append(ContextBlock(elements=[_md("No votes this round.")]))
    text = (
        f"The reveal: {_people(len(participants))} answered. "
        f"Sample answer: {escape(question.sample_answer)}"
    )
    return finish(text, blocks)


def blind_counter_message(count: int, reveal_at: datetime, timezone: str) -> Message:
    so_far = "No answers yet" if count == 0 else f"{count} answer{'s' if count != 1 else ''} so far"
    text = (
        f"{so_far} · all answers are posted here at the reveal, {slack_time(reveal_at, timezone)}"
    )
    return finish(so_far, [ContextBlock(elements=[_md(f":lock: {text}")])])


def blind_answer_message(user_id: str, answer: str) -> Message:
    """A private answer made public at the reveal: attributed, escaped, split to fit."""
    pieces = chunks(_quote(escape(answer)), SECTION_LIMIT)  # typed in a modal: raw text
    blocks: list[Block] = [SectionBlock(text=_md(f"*Answer from <@{user_id}>*"))]
    blocks += [SectionBlock(text=MarkdownTextObject(text=piece)) for piece in pieces]
    return finish(f"Answer from <@{user_id}>: {escape(answer)}", blocks)


def reminder_message(count: int, reveal_at: datetime, timezone: str) -> Message:
    answers = f"{count} answer{'s' if count != 1 else ''} so far"
    text = f":alarm_clock: {answers}, reveal at {slack_time(reveal_at, timezone)}"
    return finish(f"{answers}, reveal soon", [SectionBlock(text=_md(text))])


# -- practice on demand ------------------------------------------------------------------------


def practice_card(question: Question, *, sample: bool = False) -> Message:
    """A question shown only to the caller, with buttons to see the sample or post it."""
    blocks: list[Block] = [
        ContextBlock(elements=[_md(f"{_meta(question)} · `{question.id}`")]),
        *_sections(f"*{escape(question.question)}*"),
    ]
    if sample:
        blocks += [
            DividerBlock(),
            *_sections(f"*What the interviewer is looking for*\n{escape(question.rationale)}"),
            *_sections(f"*Sample answer*\n{escape(question.sample_answer)}"),
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


# -- views -------------------------------------------------------------------------------------


def _view(view: View) -> dict[str, Any]:
    data = view.to_dict()
    if len(data.get("blocks", [])) > VIEW_BLOCKS:
        data["blocks"] = data["blocks"][: VIEW_BLOCKS - 1] + [
            ContextBlock(elements=[_md("_(truncated)_")]).to_dict()
        ]
    return data


def answer_modal(question: Question, round_id: int, current: str | None) -> dict[str, Any]:
    block_id, action_id = ANSWER_INPUT
    return _view(
        View(
            type="modal",
            callback_id=ANSWER_VIEW,
            private_metadata=json.dumps({"round_id": round_id}),
            title=_plain("Your answer"),
            submit=_plain("Save answer"),
            close=_plain("Cancel"),
            blocks=[
                *_sections(f"*{escape(question.question)}*"),
                ContextBlock(
                    elements=[
                        _md(
                            "Only you see your answer until the reveal; you can change it until then."
                        )
                    ]
                ),
                InputBlock(
                    block_id=block_id,
                    label=_plain("Answer"),
                    element=PlainTextInputElement(
                        action_id=action_id,
                        multiline=True,
                        initial_value=current or None,
                        max_length=3000,
                    ),
                ),
            ],
        )
    )


SCHEDULE_FIELDS = ("time", "timezone", "days", "reveal", "holidays")


def schedule_modal(channel_id: str, schedule: Schedule | None, default_tz: str) -> dict[str, Any]:
    """The App Home's schedule editor: the same words as `/interview schedule`."""

    def text_input(
        name: str, label: str, initial: str | None, hint: str, optional: bool
    ) -> InputBlock:
        return InputBlock(
            block_id=name,
            label=_plain(label),
            optional=optional,
            hint=_plain(hint),
            element=PlainTextInputElement(action_id=name, initial_value=initial or None),
        )

    days_options = [
        Option(value="weekdays", label="Weekdays"),
        Option(value="daily", label="Every day"),
    ]
    current_days = next(
        o for o in days_options if o.value == (schedule.days if schedule else "weekdays")
    )
    if schedule and schedule.reveal_time:
        reveal = f"{schedule.reveal_time:%H:%M}"
    elif schedule and schedule.reveal_after:
        minutes = int(schedule.reveal_after.total_seconds() // 60)
        reveal = (
            f"after {minutes // 60}h{minutes % 60:02d}m"
            if minutes % 60
            else f"after {minutes // 60}h"
        )
    else:
        reveal = ""
    return _view(
        View(
            type="modal",
            callback_id=SCHEDULE_VIEW,
            private_metadata=json.dumps({"channel_id": channel_id}),
            title=_plain("Daily question"),
            submit=_plain("Save"),
            close=_plain("Cancel"),
            blocks=[
                SectionBlock(text=_md(f"Schedule for <#{channel_id}>")),
                text_input(
                    "time",
                    "Post at (HH:MM)",
                    f"{schedule.post_time:%H:%M}" if schedule else "09:30",
                    "24-hour local time",
                    False,
                ),
                text_input(
                    "timezone",
                    "Time zone",
                    schedule.timezone if schedule else default_tz,
                    "An IANA name such as Europe/Berlin",
                    False,
                ),
                InputBlock(
                    block_id="days",
                    label=_plain("Days"),
                    element=StaticSelectElement(
                        action_id="days", options=days_options, initial_option=current_days
                    ),
                ),
                text_input(
                    "reveal",
                    "Reveal",
                    reveal,
                    "HH:MM, or `after 2h`; empty: 6 hours after the post",
                    True,
                ),
                text_input(
                    "holidays",
                    "Skip public holidays of",
                    schedule.holidays if schedule else None,
                    "A country code such as DE or DE-BY",
                    True,
                ),
            ],
        )
    )


def add_question_modal(channel_id: str, categories: Sequence[str]) -> dict[str, Any]:
    def field(name: str, label: str, multiline: bool, hint: str, max_length: int) -> InputBlock:
        return InputBlock(
            block_id=name,
            label=_plain(label),
            hint=_plain(hint),
            element=PlainTextInputElement(
                action_id=name, multiline=multiline, max_length=max_length
            ),
        )

    return _view(
        View(
            type="modal",
            callback_id=ADD_QUESTION_VIEW,
            private_metadata=json.dumps({"channel_id": channel_id}),
            title=_plain("Add a question"),
            submit=_plain("Add"),
            close=_plain("Cancel"),
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


# -- progress and home ------------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelProgress:
    """One channel on someone's Home tab."""

    channel_id: str
    schedule: Schedule | None
    paused: bool
    rounds_answered: int = 0
    current_streak: int = 0
    best_streak: int = 0
    votes_received: int = 0


def stats_text(
    user_id: str,
    rounds_answered: int,
    answer_rate: float | None,
    current_streak: int,
    best_streak: int,
    votes_received: int,
    top_categories: Sequence[tuple[str, int]],
) -> str:
    rate = f"{answer_rate:.0%}" if answer_rate is not None else "no daily rounds yet"
    categories = ", ".join(f"{category_label(c)} ({n})" for c, n in top_categories) or "none yet"
    return (
        f"*Progress of <@{user_id}> in this channel*\n"
        f"• Rounds answered: *{rounds_answered}*\n"
        f"• Answer rate, last 30 days: *{rate}*\n"
        f"• Streak: *{current_streak}* (best {best_streak})\n"
        f"• Votes received: *{votes_received}*\n"
        f"• Most practised: {categories}"
    )


def leaderboard_text(period: str, standings: Sequence[tuple[int, str, int, int, int]]) -> str:
    """standings: (rank, user, points, rounds, votes)."""
    label = {"week": "the last 7 days", "month": "the last 30 days", "all": "all time"}[period]
    if not standings:
        return f"*Leaderboard, {label}*\nNobody has answered yet. Be the first!"
    medals = {1: ":first_place_medal:", 2: ":second_place_medal:", 3: ":third_place_medal:"}
    lines = [f"*Leaderboard, {label}* (1 point per round answered, 1 per vote received)"]
    for rank, user, points, rounds, votes in standings:
        lines.append(
            f"{medals.get(rank, f'{rank}.')} <@{user}> — *{points}* "
            f"({rounds} round{'s' if rounds != 1 else ''}, {votes} vote{'s' if votes != 1 else ''})"
        )
    return "\n".join(lines)


def home_view(channels: Sequence[ChannelProgress], is_admin: bool) -> dict[str, Any]:
    """The App Home tab: your progress per channel, schedules, and (admins) schedule editors."""
    blocks: list[Block] = [
        HeaderBlock(text=_plain("Interview practice")),
        SectionBlock(
            text=_md(
                "A daily interview question in your channels: answer in the thread, vote for the "
                "best answers, and see the sample answer and what interviewers look for at the "
                "reveal."
            )
        ),
        DividerBlock(),
    ]
    for entry in channels[:30]:
        if entry.schedule is None:
            plan = "no daily question"
        else:
            plan = entry.schedule.describe() + (" _(paused)_" if entry.paused else "")
        progress = (
            f"you answered {entry.rounds_answered} · streak {entry.current_streak} "
            f"(best {entry.best_streak}) · {entry.votes_received} votes received"
        )
        section = SectionBlock(text=_md(f"<#{entry.channel_id}> · {plan}\n{progress}"))
        if is_admin:
            section.accessory = ButtonElement(
                text="Edit schedule", action_id=EDIT_SCHEDULE_BUTTON, value=entry.channel_id
            )
        blocks.append(section)
    if not channels:
        blocks.append(
            ContextBlock(
                elements=[
                    _md(
                        "No channel practises yet. Invite me to a channel, then an admin types "
                        "`/interview schedule 09:30 Europe/Berlin weekdays reveal 16:00`."
                    )
                ]
            )
        )
    blocks += [DividerBlock(), SectionBlock(text=_md(HELP))]
    return _view(View(type="home", blocks=blocks))


# -- help --------------------------------------------------------------------------------------

HELP = """*Interview practice* — a daily interview question for this channel.
• Answer in the question's thread; vote for the best answers with a reaction.
• At the reveal time I post the sample answer and what the interviewer is looking for.

*Practice*
`/interview random [category] [difficulty]` — a question just for you · `/interview ask <id>`
`/interview categories` — what the bank holds · `/interview add` — add your team's question
`/interview questions mine` — the questions you added
`/interview stats [@user]` · `/interview leaderboard [week|month|all]`

*Running the channel* _(admins)_
`/interview now [category]` — start a round here right now
`/interview reveal` — reveal this channel's open round now
`/interview schedule HH:MM [Area/City] [weekdays|daily] [reveal HH:MM | reveal-after 2h] [holidays CC[-SUBDIV]] [categories a,b]` — post at that local time; without arguments it shows the schedule
`/interview pause` · `/interview resume` — stop or restart the daily question
`/interview mode blind|open` — blind: answers stay private until the reveal
`/interview remind 1h|off` — one reminder in the thread before the reveal
`/interview emoji :star:` — the reaction that counts as a vote (default :+1:)

Example: `/interview schedule 09:30 Europe/Berlin weekdays reveal 16:00 holidays DE-BY`"""
