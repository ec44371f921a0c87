"""The App Home tab."""

from __future__ import annotations

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot import render
from bot.channels import ChannelService


def register(app: App, channels: ChannelService) -> None:
    @app.event("app_home_opened")
    def home_opened(event: dict, client: WebClient, context: BoltContext) -> None:
        if event.get("tab") not in (None, "home"):
            return
        schedules = channels.all_for_team(context.team_id or "")
        client.views_publish(user_id=event["user"], view=render.home_view(schedules))
