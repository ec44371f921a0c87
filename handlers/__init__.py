"""The thin Bolt layer: listeners that ack, read ids and call one function of a feature's UI."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from slack_bolt import App

from bot.calibration.ui import CalibrationUI
from bot.channels.ui import ChannelsUI
from bot.privacy.ui import PrivacyUI
from bot.progress.ui import ProgressUI
from bot.questions.ui import QuestionsUI
from bot.rounds.inbox import Inbox
from bot.rounds.ui import RoundsUI
from bot.slack.installs import Installations
from bot.slash import SlashCommands
from handlers import (
    calibration,
    channels,
    commands,
    events,
    home,
    installs,
    privacy,
    questions,
    request_log,
    rounds,
)


@dataclass(frozen=True)
class Features:
    """Every feature's user interface, as the composition root built them."""

    slash: SlashCommands
    questions: QuestionsUI
    channels: ChannelsUI
    rounds: RoundsUI
    progress: ProgressUI
    calibration: CalibrationUI
    inbox: Inbox
    privacy: PrivacyUI
    installs: Installations  # the workspaces' clients; forgets a workspace that removes the app


def register_all(app: App, features: Features, now: Callable[[], datetime]) -> None:
    request_log.register(app)  # first, so even a rejected retry is logged with its ids
    commands.register(app, features.slash, now)
    events.register(app, features.inbox, features.rounds)
    questions.register(app, features.questions, now)
    rounds.register(app, features.rounds, now)
    channels.register(app, features.channels, features.progress, now)
    home.register(
        app, features.progress, features.calibration, features.channels, features.privacy, now
    )
    calibration.register(app, features.calibration, now)
    privacy.register(app, features.privacy, now)
    installs.register(app, features.installs)
