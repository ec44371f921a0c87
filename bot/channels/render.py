"""Block Kit for a channel's settings and for getting started: the schedule form, the intro the
bot posts when it is invited, and the Home tab's first-run sections. Pure: domain values in,
Block Kit out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    ConversationFilter,
    ConversationSelectElement,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    Option,
    SectionBlock,
    StaticSelectElement,
    UserMultiSelectElement,
)

from bot.channels.schedule import Schedule
from bot.slack.blocks import context, finish, md, modal, plain, text_input
from bot.slack.mrkdwn import plural
from storage.states import AnswerMode

EDIT_SCHEDULE_BUTTON = "home_edit_schedule"
SCHEDULE_VIEW = "schedule_submit"
# The intro posted when the bot joins a channel, and the Home tab's first-run buttons.
SET_UP_BUTTON = "channels.set_up"  # value: the channel id ("" on the Home tab: a picker)
TRY_BUTTON = "channels.try_question"  # value: the channel id ("" on the Home tab: in a DM)
MANAGE_ADMINS_BUTTON = "channels.manage_admins"  # value: the channel id
# The schedule form's channel picker: choosing a channel fills the form with its settings.
CHANNEL_PICKED = "channels.schedule_channel"
ADMINS_VIEW = "channels.admins_submit"

SCHEDULE_FIELDS = ("time", "timezone", "days", "reveal", "holidays")
RUNNING, PAUSED = "running", "paused"


def _reveal_words(schedule: Schedule | None) -> str:
    """The reveal as the form shows it: `16:00`, `after 2h`, or empty for the default."""
    if schedule and schedule.reveal_time:
        return f"{schedule.reveal_time:%H:%M}"
    if schedule and schedule.reveal_after:
        minutes = int(schedule.reveal_after.total_seconds() // 60)
        return (
            f"after {minutes // 60}h{minutes % 60:02d}m"
            if minutes % 60
            else f"after {minutes // 60}h"
        )
    return ""


@dataclass(frozen=True)
class ChannelSettings:
    """What the schedule form shows besides the times."""

    categories: tuple[str, ...] = ()  # the channel's categories; empty: all
    known_categories: tuple[str, ...] = ()  # what the bank holds
    mode: str = AnswerMode.OPEN
    paused: bool = False


def schedule_modal(
    channel_id: str | None,
    schedule: Schedule | None,
    default_tz: str,
    settings: ChannelSettings | None = None,
    *,
    picked: str | None = None,
    notice: str | None = None,
) -> dict[str, Any]:
    """The schedule editor: the same words as `/interview schedule`. Without a channel it starts
    with a channel picker (the Home tab's Set up a channel), `picked` the channel chosen in it
    and `notice` what to say about that channel under it; with `settings` it also edits the
    categories, the answer mode and the pause.

    Slack keeps what was typed in a field across an update when its block and action ids stay
    the same, so the fields' action ids name the picked channel: picking another one shows that
    channel's settings instead of the last one's."""
    version = f".{picked}" if picked else ""
    days_options = [
        Option(value="weekdays", label="Weekdays"),
        Option(value="daily", label="Every day"),
    ]
    current_days = next(
        o for o in days_options if o.value == (schedule.days if schedule else "weekdays")
    )
    post_time = f"{schedule.post_time:%H:%M}" if schedule else "09:30"
    blocks: list[Block] = [
        SectionBlock(text=md(f"Schedule for <#{channel_id}>"))
        if channel_id
        else InputBlock(
            block_id="channel",
            label=plain("Channel"),
            hint=plain("Invite me there first: /invite @interview-practice"),
            dispatch_action=True,
            element=ConversationSelectElement(
                action_id=CHANNEL_PICKED,
                initial_conversation=picked,
                filter=ConversationFilter(include=["public", "private"], exclude_bot_users=True),
            ),
        ),
    ]
    if notice:
        blocks.append(context(notice))
    blocks += [
        text_input(
            "time",
            "Post at (HH:MM)",
            hint="24-hour local time",
            initial=post_time,
            action_id="time" + version,
        ),
        text_input(
            "timezone",
            "Time zone",
            hint="A Region/City name such as Europe/Berlin or America/New_York",
            initial=schedule.timezone if schedule else default_tz,
            action_id="timezone" + version,
        ),
        InputBlock(
            block_id="days",
            label=plain("Days"),
            element=StaticSelectElement(
                action_id="days" + version, options=days_options, initial_option=current_days
            ),
        ),
        text_input(
            "reveal",
            "Reveal",
            hint="HH:MM, or after 2h; empty: 6 hours after the post",
            initial=_reveal_words(schedule),
            optional=True,
            action_id="reveal" + version,
        ),
        text_input(
            "holidays",
            "Skip public holidays of",
            hint="A country code such as DE or DE-BY",
            initial=schedule.holidays if schedule else None,
            optional=True,
            action_id="holidays" + version,
        ),
    ]
    if settings is not None:
        blocks += _settings_fields(settings, version)
    if channel_id:
        return modal(SCHEDULE_VIEW, "Daily question", "Save", blocks, channel_id=channel_id)
    # `shown_for`: the channel whose settings the fields show (none yet: the defaults)
    return modal(SCHEDULE_VIEW, "Daily question", "Save", blocks, shown_for=picked)


def _settings_fields(settings: ChannelSettings, version: str = "") -> list[Block]:
    known = ", ".join(settings.known_categories)
    modes = [
        Option(value=AnswerMode.OPEN.value, label="Open: answers in the thread"),
        Option(value=AnswerMode.BLIND.value, label="Blind: private until the reveal"),
    ]
    states = [
        Option(value=RUNNING, label="Running"),
        Option(value=PAUSED, label="Paused"),
    ]
    return [
        text_input(
            "categories",
            "Categories",
            hint=f"Comma-separated; empty: all. The bank holds: {known}"[:150],
            initial=",".join(settings.categories) or None,
            optional=True,
            action_id="categories" + version,
        ),
        InputBlock(
            block_id="mode",
            label=plain("Answers"),
            element=StaticSelectElement(
                action_id="mode" + version,
                options=modes,
                initial_option=next(o for o in modes if o.value == settings.mode),
            ),
        ),
        InputBlock(
            block_id="state",
            label=plain("Daily question"),
            element=StaticSelectElement(
                action_id="state" + version,
                options=states,
                initial_option=states[1] if settings.paused else states[0],
            ),
        ),
    ]


# -- getting started ---------------------------------------------------------------------------


def intro_message(
    channel_id: str, inviter: str | None, *, set_up: bool = False, paused: bool = False
) -> tuple[str, list[dict[str, Any]]]:
    """The one short public intro when someone invites the bot to a channel; for a channel set
    up already (the bot was removed and is back), what stands and how to go on. It names no
    admin: a mention in a new message would notify them."""
    who = f"Thanks for inviting me, <@{inviter}>! " if inviter else "Hello! "
    if not set_up:
        text = (
            f"{who}I post one interview question a day here; you answer in the thread, vote "
            "for the best answers, and at the reveal I post a sample answer and what "
            "interviewers look for. Whoever sets it up runs the channel."
        )
    else:
        state = (
            " It is paused: its admins resume it with `/interview resume`."
            if paused
            else " It runs as before."
        )
        text = (
            f"{who}I'm back: this channel's daily question is set up already.{state} "
            "`/interview admins` lists who runs it."
        )
    blocks: list[Block] = [
        SectionBlock(text=md(text)),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="Change the daily question" if set_up else "Set up the daily question",
                    action_id=SET_UP_BUTTON,
                    value=channel_id,
                    style="primary",
                ),
                ButtonElement(text="Try a question", action_id=TRY_BUTTON, value=channel_id),
            ]
        ),
    ]
    return finish(text, blocks)


@dataclass(frozen=True)
class FirstRun:
    """What a person's Home tab says to get them started."""

    user_id: str
    is_bot_admin: bool
    can_set_up: bool  # a bot admin or a channel admin: the Set up a channel button
    answers: int  # what the bot stores about them
    votes: int
    scores: int  # calibration scores
    admin_of: tuple[str, ...]  # channels they run
    is_manager: bool
    channels: tuple[tuple[str, tuple[str, ...]], ...]  # (channel, its admins) that practise
    bot_admins: tuple[str, ...]
    role_error: str | None = None  # users.info failed: admin buttons may be missing


def first_run_blocks(first: FirstRun) -> list[dict[str, Any]]:
    """The Home tab's getting-started sections: set up (admins), practise now (everyone),
    what the bot stores about you, and who runs each channel."""
    blocks: list[Block] = [HeaderBlock(text=plain("Get started"))]
    buttons = [
        ButtonElement(text="Practise now", action_id=TRY_BUTTON, value="", style="primary"),
    ]
    if first.can_set_up:
        buttons.append(ButtonElement(text="Set up a channel", action_id=SET_UP_BUTTON, value=""))
    blocks.append(
        SectionBlock(
            text=md(
                "*Practise now:* a question just for you, whenever you like.\n"
                + (
                    "*Set up a channel:* choose a channel, the time of the daily question, its "
                    "categories, open or blind answers, or pause it."
                    if first.can_set_up
                    else "*Run a channel:* invite me (`/invite @interview-practice`) and press "
                    "*Set up the daily question*; whoever sets a channel up becomes its admin."
                )
            )
        )
    )
    blocks.append(ActionsBlock(elements=buttons))
    roles = []
    if first.admin_of:
        roles.append("admin of " + ", ".join(f"<#{c}>" for c in first.admin_of))
    if first.is_manager:
        roles.append("a hiring manager")
    counts = [plural(first.answers, "answer"), plural(first.votes, "vote") + " you cast"]
    if first.scores:
        counts.append(plural(first.scores, "calibration score") + " with their notes")
    stored = (
        f"*What I store about you:* {', '.join(counts)}, each with when"
        + (f"; that you are {' and '.join(roles)}" if roles else "")
        + "; the team questions you added and your pings and snooze settings, if any. "
        "Nothing from your profile, and no messages outside my threads. "
        "`/interview forget-me` deletes it."
    )
    blocks.append(SectionBlock(text=md(stored)))
    if first.role_error:
        blocks.append(
            ContextBlock(
                elements=[
                    md(
                        f":warning: I couldn't check your Slack role just now (Slack answered "
                        f"`{first.role_error}`), so admin buttons may be missing. Open this tab "
                        "again in a minute."
                    )
                ]
            )
        )
    blocks.append(SectionBlock(text=md("*Who runs the channels*")))
    for channel_id, admins in first.channels[:20]:
        who = ", ".join(f"<@{a}>" for a in admins) if admins else "the bot's admins"
        section = SectionBlock(text=md(f"• <#{channel_id}>: {who}"))
        if first.is_bot_admin or first.user_id in admins:
            section.accessory = ButtonElement(
                text="Change admins", action_id=MANAGE_ADMINS_BUTTON, value=channel_id
            )
        blocks.append(section)
    everywhere = ", ".join(f"<@{a}>" for a in first.bot_admins)
    blocks.append(
        ContextBlock(
            elements=[
                md(
                    "Every channel: the bot's admins"
                    + (f" ({everywhere})" if everywhere else "")
                    + " and Slack workspace admins."
                )
            ]
        )
    )
    blocks.append(DividerBlock())
    return [b.to_dict() for b in blocks]


def admins_modal(channel_id: str, admins: Sequence[str]) -> dict[str, Any]:
    """The Home tab's Change admins: the channel's admins as a people picker."""
    blocks: list[Block] = [
        SectionBlock(
            text=md(
                f"Who runs <#{channel_id}>: its schedule, pause, mode and its admins. The bot's "
                "admins run every channel anyway."
            )
        ),
        InputBlock(
            block_id="admins",
            label=plain("Admins"),
            hint=plain("At least one person"),
            element=UserMultiSelectElement(action_id="admins", initial_users=list(admins) or None),
        ),
    ]
    return modal(ADMINS_VIEW, "Channel admins", "Save", blocks, channel_id=channel_id)
