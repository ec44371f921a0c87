"""The App Home tab: the person's progress, the channels' schedules, admin editors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from slack_bolt import App, BoltContext

from bot.progress.ui import ProgressUI


def register(app: App, progress: ProgressUI, now: Callable[[], datetime]) -> None:
    @app.event("app_home_opened")
    def home_opened(event: dict, context: BoltContext) -> None:
        if event.get("tab") in (None, "home"):
            progress.publish_home(context.team_id or "", event["user"], now())
