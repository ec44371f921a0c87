"""Block Kit for a channel's settings: the schedule form. Pure: domain values in, Block Kit out."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import (
    InputBlock,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.channels.schedule import Schedule
from bot.slack.blocks import finish_view, md, plain

EDIT_SCHEDULE_BUTTON = "home_edit_schedule"
SCHEDULE_VIEW = "schedule_submit"

SCHEDULE_FIELDS = ("time", "timezone", "days", "reveal", "holidays")


def schedule_modal(channel_id: str, schedule: Schedule | None, default_tz: str) -> dict[str, Any]:
    """The App Home's schedule editor: the same words as `/interview schedule`."""

    def text_input(
        name: str, label: str, initial: str | None, hint: str, optional: bool
    ) -> InputBlock:
        return InputBlock(
            block_id=name,
            label=plain(label),
            optional=optional,
            hint=plain(hint),
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
    return finish_view(
        View(
            type="modal",
            callback_id=SCHEDULE_VIEW,
            private_metadata=json.dumps({"channel_id": channel_id}),
            title=plain("Daily question"),
            submit=plain("Save"),
            close=plain("Cancel"),
            blocks=[
                SectionBlock(text=md(f"Schedule for <#{channel_id}>")),
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
                    label=plain("Days"),
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
