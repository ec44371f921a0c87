"""The schedule form opened from the App Home: validated before the modal closes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from slack_bolt import Ack, App, BoltContext

from bot.channels import render
from bot.channels.ui import ChannelsUI
from bot.progress.ui import ProgressUI
from handlers.respond import close_or_show_errors, field_values, user_of


def register(
    app: App, channels: ChannelsUI, progress: ProgressUI, now: Callable[[], datetime]
) -> None:
    @app.action(render.EDIT_SCHEDULE_BUTTON)
    def edit_schedule(ack: Ack, body: dict, action: dict, context: BoltContext) -> None:
        ack()  # first: the rights check may wait on a rate-limited users.info
        channels.open_schedule_form(
            context.team_id or "", user_of(body), str(action["value"]), body["trigger_id"]
        )

    @app.view(render.SCHEDULE_VIEW)
    def schedule(ack: Ack, body: dict, view: dict, context: BoltContext) -> None:
        team_id, user_id, metadata = (
            context.team_id or "",
            user_of(body),
            view.get("private_metadata"),
        )
        errors = channels.submit_schedule(team_id, user_id, metadata, field_values(view), now())
        close_or_show_errors(ack, errors)
        if not errors:
            channels.after_schedule(team_id, user_id, metadata)
            progress.publish_home(team_id, user_id, now())
