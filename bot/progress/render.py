"""Block Kit for progress: stats, the leaderboard and the App Home tab. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.channels.render import EDIT_SCHEDULE_BUTTON
from bot.channels.schedule import Schedule
from bot.questions.render import category_label
from bot.slack.blocks import VIEW_BLOCKS, finish_view, md, plain
from bot.slack.errors import what_to_fix
from bot.slack.mrkdwn import plural

STREAK_RULE = (
    "_A streak counts the channel's question of the day answered on consecutive question days; "
    "days without a question, the channel's holidays and days you snoozed never break it._"
)
LEADERBOARD_RULES = (
    "1 point per round answered and 1 per vote from someone else; equal points share a rank, "
    "and within a rank whoever answered first in the period is listed first."
)


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
    paused_reason: str | None = None  # the Slack error that made the bot pause the channel


def stats_text(
    user_id: str,
    rounds_answered: int,
    answer_rate: float | None,
    current_streak: int,
    best_streak: int,
    votes_received: int,
    top_categories: Sequence[tuple[str, int]],
    snoozed_until: str | None = None,
) -> str:
    rate = f"{answer_rate:.0%}" if answer_rate is not None else "no daily rounds yet"
    categories = ", ".join(f"{category_label(c)} ({n})" for c, n in top_categories) or "none yet"
    return (
        f"*Progress of <@{user_id}> in this channel*\n"
        f"• Rounds answered: *{rounds_answered}*\n"
        f"• Answer rate, last 30 days: *{rate}*\n"
        f"• Streak: *{current_streak}* (best {best_streak})\n"
        f"• Votes received: *{votes_received}*\n"
        f"• Most practised: {categories}\n"
        + (
            f"_Snoozed until {snoozed_until}: the streak is frozen until then._\n"
            if snoozed_until
            else ""
        )
        + STREAK_RULE
    )


def leaderboard_text(period: str, standings: Sequence[tuple[int, str, int, int, int]]) -> str:
    """standings: (rank, user, points, rounds, votes)."""
    label = {"week": "the last 7 days", "month": "the last 30 days", "all": "all time"}[period]
    if not standings:
        return f"*Leaderboard, {label}*\nNobody has answered yet. Be the first!"
    medals = {1: ":first_place_medal:", 2: ":second_place_medal:", 3: ":third_place_medal:"}
    lines = [f"*Leaderboard, {label}* · {LEADERBOARD_RULES}"]
    for rank, user, points, rounds, votes in standings:
        lines.append(
            f"{medals.get(rank, f'{rank}.')} <@{user}> — *{points}* "
            f"({plural(rounds, 'round')}, {plural(votes, 'vote')})"
        )
    return "\n".join(lines)


def home_view(
    channels: Sequence[ChannelProgress], is_admin: bool, help_text: str
) -> dict[str, Any]:
    """The App Home tab: your progress per channel, schedules, and (admins) schedule editors."""
    blocks: list[Block] = [
        HeaderBlock(text=plain("Interview practice")),
        SectionBlock(
            text=md(
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
        if entry.paused_reason and is_admin:
            plan += (
                f"\n:warning: I paused it myself: Slack said `{entry.paused_reason}` when I "
                f"posted. {what_to_fix(entry.paused_reason)} Then `/interview resume` there."
            )
        progress = (
            f"you answered {plural(entry.rounds_answered, 'round')} · streak "
            f"{entry.current_streak} (best {entry.best_streak}) · "
            f"{plural(entry.votes_received, 'vote')} received"
        )
        section = SectionBlock(text=md(f"<#{entry.channel_id}> · {plan}\n{progress}"))
        if is_admin:
            section.accessory = ButtonElement(
                text="Edit schedule", action_id=EDIT_SCHEDULE_BUTTON, value=entry.channel_id
            )
        blocks.append(section)
    if not channels:
        blocks.append(
            ContextBlock(
                elements=[
                    md(
                        "No channel practises yet. Invite me to a channel, then an admin types "
                        "`/interview schedule 09:30 Europe/Berlin weekdays reveal 16:00`."
                    )
                ]
            )
        )
    blocks += [DividerBlock(), SectionBlock(text=md(help_text))]
    return finish_view(View(type="home", blocks=blocks))


def with_sections(
    view: dict[str, Any], blocks: Sequence[dict[str, Any]], top: Sequence[dict[str, Any]] = ()
) -> dict[str, Any]:
    """The Home view with another feature's sections before the help, and `top` after the
    introduction (within 100 blocks)."""
    if not blocks and not top:
        return view
    intro, head, help_part = view["blocks"][:3], view["blocks"][3:-2], view["blocks"][-2:]
    first = list(top)[: max(VIEW_BLOCKS - len(view["blocks"]), 0)]
    room = VIEW_BLOCKS - len(intro) - len(first) - len(head) - len(help_part)
    return {**view, "blocks": [*intro, *first, *head, *list(blocks)[: max(room, 0)], *help_part]}
