"""What a person sees of progress from Slack: stats, the leaderboard and the App Home tab."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.progress import render
from bot.progress.service import ProgressService
from bot.slack.clients import ClientFor
from bot.slack.commands import Handler, SubCommand, choice
from bot.slack.people import People, RoleUnknown
from bot.slack.replies import NO_REPLY, Invocation, Reply

MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


def _mention_check(args: tuple[str, ...]) -> str | None:
    if args and not MENTION.match(args[0]):
        return "Mention the person, e.g. `/interview stats @alice`."
    return None


SECTION = "Practice"
COMMANDS = (
    SubCommand(
        "stats",
        "[@user]",
        "rounds answered, answer rate, streaks, votes received",
        SECTION,
        0,
        1,
        check=_mention_check,
    ),
    SubCommand(
        "leaderboard",
        "[week|month|all]",
        "top participants here, posted in the channel without pinging anyone",
        SECTION,
        0,
        1,
        check=choice("week", "month", "all", example="/interview leaderboard week"),
    ),
)


@dataclass
class ProgressUI:
    progress: ProgressService
    client_for: ClientFor
    people: People
    help_text: str

    def handlers(self) -> dict[str, Handler]:
        return {"stats": self.stats, "leaderboard": self.leaderboard}

    def stats(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        match = MENTION.match(args[0]) if args else None
        user_id = match.group(1) if match else inv.user_id
        return Reply(self.progress.stats_text(inv.team_id, inv.channel_id, user_id, now))

    def leaderboard(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        period = args[0].lower() if args else "week"
        text = self.progress.leaderboard_text(inv.team_id, inv.channel_id, period, now)
        if self.progress.post_without_pings(inv.team_id, inv.channel_id, text):
            return NO_REPLY
        return Reply(text)  # not in the channel: show it to the caller

    def publish_home(
        self,
        team_id: str,
        user_id: str,
        now: datetime,
        more: Sequence[dict[str, Any]] = (),
        top: Sequence[dict[str, Any]] = (),
    ) -> None:
        """The person's Home tab; `more` holds other features' sections (e.g. calibration),
        `top` the getting-started sections shown first."""
        try:
            is_admin = self.people.is_admin(team_id, user_id)
        except RoleUnknown:  # the getting-started section says Slack could not be asked
            is_admin = False
        view = self.progress.home(team_id, user_id, is_admin, now, self.help_text)
        view = render.with_sections(view, more, top)
        self.client_for(team_id).views_publish(user_id=user_id, view=view)
