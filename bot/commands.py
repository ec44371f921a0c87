"""`/interview ...`: parse the text, check rights, call the services, say what happened."""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import render
from bot.channels import ChannelService, next_post
from bot.people import look_up
from bot.rounds import (
    AlreadyClaimed,
    AlreadyOpen,
    NotInChannel,
    PostFailed,
    RoundService,
    Started,
)
from bot.schedule import ScheduleError, parse_schedule

log = logging.getLogger(__name__)

SUBCOMMANDS = ("help", "now", "reveal", "schedule", "pause", "resume")
ADMIN_ONLY = frozenset({"now", "reveal", "pause", "resume"})
INVITE_HINT = (
    "I'm not a member of this channel yet. Invite me with `/invite @Interview Practice` "
    "(or mention me and choose *Invite*), then try again."
)


@dataclass(frozen=True)
class Invocation:
    team_id: str
    channel_id: str
    user_id: str
    text: str


@dataclass(frozen=True)
class Reply:
    text: str
    public: bool = False  # in_channel instead of ephemeral


def parse(text: str) -> tuple[str, list[str]]:
    """Split the command text into a lower-cased subcommand and its words."""
    words = text.replace("\u00a0", " ").split()
    if not words:
        return "help", []
    return words[0].lower(), words[1:]


def suggest(word: str, choices: tuple[str, ...] | list[str]) -> str | None:
    matches = difflib.get_close_matches(word.lower(), list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None


class CommandService:
    def __init__(
        self,
        rounds: RoundService,
        channels: ChannelService,
        client_for: Callable[[str], WebClient],
        extra_admins: frozenset[str],
    ) -> None:
        self.rounds = rounds
        self.channels = channels
        self.client_for = client_for
        self.extra_admins = extra_admins

    def run(self, inv: Invocation, now: datetime) -> Reply:
        name, args = parse(inv.text)
        if name not in SUBCOMMANDS:
            hint = suggest(name, SUBCOMMANDS)
            guess = f" Did you mean `/interview {hint}`?" if hint else ""
            return Reply(f"I don't know `{render.escape(name)}`.{guess}\n\n{render.HELP}")
        if name == "help":
            return Reply(render.HELP)
        if name == "schedule" and not args:
            return self._show_schedule(inv, now)
        client = self.client_for(inv.team_id)
        person = look_up(client, inv.user_id, self.extra_admins)
        if (name in ADMIN_ONLY or name == "schedule") and not person.is_admin:
            return Reply(
                f"Sorry, only workspace admins and the bot's admins can use `/interview {name}`. "
                "Ask one of them, or ask to be added to INTERVIEW_ADMINS."
            )
        if name == "now":
            return self._now(inv, args, now)
        if name == "reveal":
            result = self.rounds.reveal_open(inv.team_id, inv.channel_id, now)
            if result is None:
                return Reply(
                    "There's no open round in this channel. Start one with `/interview now`."
                )
            return Reply(f"Revealed. {result.participants} answered.")
        if name == "schedule":
            return self._schedule(inv, args, person.timezone, now)
        paused = name == "pause"
        if not self.channels.set_paused(inv.team_id, inv.channel_id, paused, inv.user_id, now):
            return Reply(
                "This channel has no schedule yet. Set one with `/interview schedule 09:30`."
            )
        if paused:
            return Reply(
                f"<@{inv.user_id}> paused the daily question here. `/interview resume` brings it back.",
                public=True,
            )
        return Reply(f"<@{inv.user_id}> resumed the daily question here.", public=True)

    def _now(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        category = args[0].lower() if args else None
        categories = self.rounds.bank.categories()
        if category is not None and category not in categories:
            hint = suggest(category, list(categories))
            guess = f" Did you mean `{hint}`?" if hint else ""
            valid = ", ".join(f"`{c}`" for c in categories)
            return Reply(
                f"There's no category `{render.escape(category)}`.{guess} Choose from {valid}."
            )
        outcome = self.rounds.start(inv.team_id, inv.channel_id, now, category=category)
        match outcome:
            case Started(question=question, reveal_at=reveal_at):
                when = render.slack_time(reveal_at, "UTC")
                return Reply(f"Posted: _{question.question}_ I'll reveal the answer at {when}.")
            case AlreadyOpen() | AlreadyClaimed():
                return Reply(
                    "A round is already open in this channel. Reveal it first with "
                    "`/interview reveal`, or let it run until its reveal time."
                )
            case NotInChannel():
                return Reply(INVITE_HINT)
            case PostFailed(error=error):
                return Reply(
                    f"Slack did not accept the post (`{error}`). Please try again shortly."
                )
        raise AssertionError(outcome)

    def _schedule(self, inv: Invocation, args: list[str], default_tz: str, now: datetime) -> Reply:
        try:
            schedule = parse_schedule(args, default_tz, self.rounds.bank.categories())
        except ScheduleError as exc:
            return Reply(f"Nothing was saved. {exc}")
        if not self._bot_is_member(inv):
            return Reply(f"Nothing was saved. {INVITE_HINT}")
        self.channels.subscribe(inv.team_id, inv.channel_id, schedule, inv.user_id, now)
        upcoming = next_post(schedule, now)
        first = (
            f" First question: {render.slack_date_time(upcoming, schedule.timezone)}."
            if upcoming
            else ""
        )
        return Reply(
            f"<@{inv.user_id}> scheduled the daily interview question here: "
            f"{schedule.describe()}.{first}",
            public=True,
        )

    def _show_schedule(self, inv: Invocation, now: datetime) -> Reply:
        schedule, paused = self.channels.schedule(inv.team_id, inv.channel_id)
        if schedule is None:
            return Reply(
                "This channel has no daily question yet. Admins can set one, e.g. "
                "`/interview schedule 09:30 Europe/Berlin weekdays reveal 16:00`."
            )
        state = " It is *paused*; `/interview resume` restarts it." if paused else ""
        upcoming = next_post(schedule, now)
        nxt = (
            f" Next question: {render.slack_date_time(upcoming, schedule.timezone)}."
            if upcoming and not paused
            else ""
        )
        return Reply(f"Daily question here: {schedule.describe()}.{nxt}{state}")

    def _bot_is_member(self, inv: Invocation) -> bool:
        try:
            info = self.client_for(inv.team_id).conversations_info(channel=inv.channel_id)
        except SlackApiError as exc:
            if exc.response.get("error") in ("channel_not_found", "not_in_channel"):
                return False
            log.warning("conversations.info failed", extra={"channel": inv.channel_id})
            return True  # don't block scheduling on a lookup hiccup; posting will tell
        channel = info.get("channel") or {}
        return bool(channel.get("is_member", True))
