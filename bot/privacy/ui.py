"""`/interview forget-me`: asks first, with a button only the one who presses it can mean for
themselves. Whoever presses *Delete everything* loses their own data, never the data of the
person the card was shown to: the button carries no user id, only when it was issued."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.privacy import render
from bot.privacy.service import PrivacyService
from bot.slack.commands import Handler, SubCommand
from bot.slack.replies import Invocation, Reply

# A confirmation card left open longer than this asks again.
CONFIRM_WITHIN = timedelta(minutes=15)
CLOCK_SKEW = 60.0  # seconds: another web process may have issued the card

COMMANDS = (
    SubCommand(
        "forget-me", "", "delete everything the bot stored about you (asks first)", "Practice"
    ),
)


@dataclass
class PrivacyUI:
    privacy: PrivacyService

    def handlers(self) -> dict[str, Handler]:
        return {"forget-me": self.forget_me}

    def forget_me(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        """The confirmation: what would go, and the two buttons. Nothing is deleted yet."""
        stored = self.privacy.stored(inv.team_id, inv.user_id)
        text, blocks = render.confirm_message(stored, int(now.timestamp()))
        return Reply(text, blocks=blocks)

    def confirm(self, team_id: str, user_id: str, value: str, now: datetime) -> Reply:
        """*Delete everything*, pressed by `user_id`: their own data goes, nobody else's."""
        issued = int(value) if value.isdigit() and len(value) < 12 else None
        age = now.timestamp() - issued if issued is not None else None
        if age is None or not -CLOCK_SKEW <= age <= CONFIRM_WITHIN.total_seconds():
            return Reply(render.EXPIRED)
        forgotten = self.privacy.forget(team_id, user_id, now)
        return Reply(render.done_text(forgotten))

    def cancel(self) -> Reply:
        return Reply(render.NOTHING_DELETED)
