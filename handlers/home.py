"""The App Home tab: the person's progress, the channels' schedules, admin editors, and for
managers who is calibrated."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from slack_bolt import App, BoltContext

from bot.calibration.ui import CalibrationUI
from bot.progress.ui import ProgressUI


def register(
    app: App, progress: ProgressUI, calibration: CalibrationUI, now: Callable[[], datetime]
) -> None:
    @app.event("app_home_opened")
    def home_opened(event: dict, context: BoltContext) -> None:
        if event.get("tab") in (None, "home"):
            team_id, user_id = context.team_id or "", event["user"]
            more = calibration.home_blocks(team_id, user_id)
            progress.publish_home(team_id, user_id, now(), more)
