"""Block Kit for a channel's settings: the schedule form. Pure: domain values in, Block Kit out."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    Block,
    InputBlock,
    Option,
    SectionBlock,
    StaticSelectElement,
)

from bot.channels.schedule import Schedule
from bot.slack.blocks import md, modal, plain, text_input

EDIT_SCHEDULE_BUTTON = "home_edit_schedule"
SCHEDULE_VIEW = "schedule_submit"

SCHEDULE_FIELDS = ("time", "timezone", "days", "reveal", "holidays")


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


def schedule_modal(channel_id: str, schedule: Schedule | None, default_tz: str) -> dict[str, Any]:
    """The App Home's schedule editor: the same words as `/interview schedule`."""
    days_options = [
        Option(value="weekdays", label="Weekdays"),
        Option(value="daily", label="Every day"),
    ]
    current_days = next(
        o for o in days_options if o.value == (schedule.days if schedule else "weekdays")
    )
    post_time = f"{schedule.post_time:%H:%M}" if schedule else "09:30"
    blocks: list[Block] = [
        SectionBlock(text=md(f"Schedule for <#{channel_id}>")),
        text_input("time", "Post at (HH:MM)", hint="24-hour local time", initial=post_time),
        text_input(
            "timezone",
            "Time zone",
            hint="An IANA name such as Europe/Berlin",
            initial=schedule.timezone if schedule else default_tz,
        ),
        InputBlock(
            block_id="days",
            label=plain("Days"),
            element=StaticSelectElement(
                action_id="days", options=days_options, initial_option=current_days
            ),
        ),
        text_input(
            "reveal",
            "Reveal",
            hint="HH:MM, or after 2h; empty: 6 hours after the post",
            initial=_reveal_words(schedule),
            optional=True,
        ),
        text_input(
            "holidays",
            "Skip public holidays of",
            hint="A country code such as DE or DE-BY",
            initial=schedule.holidays if schedule else None,
            optional=True,
        ),
    ]
    return modal(SCHEDULE_VIEW, "Daily question", "Save", blocks, channel_id=channel_id)
