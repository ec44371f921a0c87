"""The App Home tab: getting started (set up a channel, practise now, what the bot stores, who
runs each channel), the person's progress, the channels' schedules, admin editors, and for
managers who is calibrated."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from slack_bolt import App, BoltContext
from slack_sdk.errors import SlackApiError

from bot.calibration.ui import CalibrationUI
from bot.channels.ui import ChannelsUI
from bot.privacy.ui import PrivacyUI
from bot.progress.ui import ProgressUI
from bot.slack.errors import slack_error

log = logging.getLogger(__name__)


def register(
    app: App,
    progress: ProgressUI,
    calibration: CalibrationUI,
    channels: ChannelsUI,
    privacy: PrivacyUI,
    now: Callable[[], datetime],
) -> None:
    @app.event("app_home_opened")
    def home_opened(event: dict, context: BoltContext) -> None:
        user_id = event.get("user")
        if event.get("tab") in (None, "home") and isinstance(user_id, str) and user_id:
            team_id = context.team_id or ""
            stored = privacy.privacy.stored(team_id, user_id)
            top = channels.home_blocks(
                team_id,
                user_id,
                answers=stored.answers + stored.blind_answers,
                votes=stored.votes,
                scores=stored.scores,
            )
            more = calibration.home_blocks(team_id, user_id)
            try:
                progress.publish_home(team_id, user_id, now(), more, top)
            except SlackApiError as exc:  # e.g. user_not_found: the tab stays as it was
                log.warning(
                    "home tab not published", extra={"user": user_id, "error": slack_error(exc)}
                )
