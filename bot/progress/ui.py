"""What a person sees of progress from Slack: stats, the leaderboard and the App Home tab."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.progress import render
from bot.progress.service import PersonalSettings, ProgressService
from bot.progress.snooze import USAGE as SNOOZE_USAGE
from bot.progress.snooze import SnoozeFor, Wake, parse_snooze
from bot.slack.clients import ClientFor
from bot.slack.commands import Access, Handler, SubCommand, choice
from bot.slack.mrkdwn import slack_date_time
from bot.slack.people import People, RoleUnknown
from bot.slack.replies import NO_REPLY, Invocation, Reply

MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


def _mention_check(args: tuple[str, ...]) -> str | None:
    if args and not MENTION.match(args[0]):
        return "Mention the person, e.g. `/interview stats @alice`."
    return None


def _snooze_check(args: tuple[str, ...]) -> str | None:
    if args and parse_snooze(args[0]) is None:
        return SNOOZE_USAGE
    return None


SECTION = "Practice"
COMMANDS = (
    SubCommand(
        "stats",
        "[@user]",
        "rounds answered, answer rate, streaks, votes received (someone else's: unless the "
        "channel turned its leaderboard off)",
        SECTION,
        0,
        1,
        check=_mention_check,
    ),
    SubCommand(
        "leaderboard",
        "[week|month|all]",
        "posts the top participants in this channel for everyone to see (names, no pings)",
        SECTION,
        0,
        1,
        check=choice("week", "month", "all", example="/interview leaderboard week"),
    ),
    SubCommand(
        "snooze",
        "[3d|1w|2w|off]",
        "a break for you: your streaks stay frozen and the reveal never pings you until it ends",
        SECTION,
        0,
        1,
        check=_snooze_check,
    ),
    SubCommand(
        "pings",
        "[on|off]",
        "whether the reveal notifies you when it names you (off by default)",
        SECTION,
        0,
        1,
        check=choice("on", "off", example="/interview pings on"),
    ),
    SubCommand(
        "leaderboard off",
        "",
        "no public leaderboard here; `stats @someone` is off too, your own stats still work",
        "Running the channel",
        access=Access.ADMIN,
    ),
    SubCommand(
        "leaderboard on",
        "",
        "the leaderboard and everyone's stats are public here again (the default)",
        "Running the channel",
        access=Access.ADMIN,
    ),
)
LEADERBOARD_OFF = (
    "This channel keeps its leaderboard private (an admin turned it off with "
    "`/interview leaderboard off`). `/interview stats` still shows your own progress."
)


@dataclass
class ProgressUI:
    progress: ProgressService
    client_for: ClientFor
    people: People
    help_text: str

    def __post_init__(self) -> None:
        self.settings = PersonalSettings(self.progress.sessions)

    def handlers(self) -> dict[str, Handler]:
        return {
            "stats": self.stats,
            "leaderboard": self.leaderboard,
            "leaderboard off": self.leaderboard_off,
            "leaderboard on": self.leaderboard_on,
            "snooze": self.snooze,
            "pings": self.pings,
        }

    def stats(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        match = MENTION.match(args[0]) if args else None
        user_id = match.group(1) if match else inv.user_id
        if user_id != inv.user_id and not self.progress.leaderboard_public(
            inv.team_id, inv.channel_id
        ):
            return Reply(
                "This channel keeps everyone's progress private (an admin turned the "
                "leaderboard off), so I can't show someone else's stats here. "
                "`/interview stats` shows your own."
            )
        return Reply(self.progress.stats_text(inv.team_id, inv.channel_id, user_id, now))

    def leaderboard_off(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        self.progress.set_leaderboard_public(inv.team_id, inv.channel_id, False, inv.user_id, now)
        return Reply(
            f"<@{inv.user_id}> turned the leaderboard off in this channel: no public "
            "leaderboard, and `/interview stats` shows each person only their own progress. "
            "`/interview leaderboard on` brings it back.",
            public=True,
        )

    def leaderboard_on(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        self.progress.set_leaderboard_public(inv.team_id, inv.channel_id, True, inv.user_id, now)
        return Reply(
            f"<@{inv.user_id}> turned the leaderboard on in this channel: "
            "`/interview leaderboard` posts it here, and `/interview stats @someone` works.",
            public=True,
        )

    def snooze(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        team_id, user_id = inv.team_id, inv.user_id
        zone = self.people.person(team_id, user_id).timezone
        if not args:
            until = self.settings.snoozed_until(team_id, user_id, now)
            if until is None:
                return Reply(
                    "You're not snoozed. `/interview snooze 1w` gives you a week off: no pings, "
                    "and your streaks stay frozen until you're back."
                )
            return Reply(
                f"You're snoozed until {slack_date_time(until, zone)}: no pings, and your "
                "streaks are frozen. `/interview snooze off` ends it now."
            )
        match parse_snooze(args[0]):
            case Wake():
                if self.settings.wake(team_id, user_id, now):
                    return Reply("Welcome back: your snooze is over, and your streaks run again.")
                return Reply("You weren't snoozed.")
            case SnoozeFor(length=length):
                until = now + length
                self.settings.snooze(team_id, user_id, now, until)
                return Reply(
                    f"Snoozed until {slack_date_time(until, zone)}: the reveal won't ping you, "
                    "and a day you skip meanwhile won't break your streak (answering still "
                    "counts). `/interview snooze off` ends it early."
                )
        return Reply(SNOOZE_USAGE)

    def pings(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        team_id, user_id = inv.team_id, inv.user_id
        if args:
            on = args[0].lower() == "on"
            self.settings.set_reveal_pings(team_id, user_id, on, now)
        else:
            on = self.settings.reveal_pings(team_id, user_id)
        if on:
            return Reply(
                "Reveal pings are on: the reveal notifies you when it names you (not while you "
                "are snoozed). `/interview pings off` turns them off."
            )
        return Reply(
            "Reveal pings are off: the reveal names you without notifying you (the default). "
            "`/interview pings on` turns them on."
        )

    def leaderboard(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        if not self.progress.leaderboard_public(inv.team_id, inv.channel_id):
            return Reply(LEADERBOARD_OFF)
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
