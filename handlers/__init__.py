"""The thin Bolt layer: listeners that ack, read ids and call one function of a feature's UI."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from slack_bolt import App

from bot.calibration.ui import CalibrationUI
from bot.channels.ui import ChannelsUI
from bot.progress.ui import ProgressUI
from bot.questions.ui import QuestionsUI
from bot.rounds.inbox import Inbox
from bot.rounds.ui import RoundsUI
from bot.slash import SlashCommands
from handlers import calibration, channels, commands, events, home, questions, request_log, rounds


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


def register_all(app: App, features: Features, now: Callable[[], datetime]) -> None:
    request_log.register(app)  # first, so even a rejected retry is logged with its ids
    commands.register(app, features.slash, now)
    events.register(app, features.inbox)
    questions.register(app, features.questions, now)
    rounds.register(app, features.rounds, now)
    channels.register(app, features.channels, features.progress, now)
    home.register(app, features.progress, features.calibration, now)
    calibration.register(app, features.calibration, now)
