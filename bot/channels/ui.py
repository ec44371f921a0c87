"""What admins do to run a channel from Slack (schedule, pause, mode, reminders, vote emoji) and
what anyone sees of it; each returns a reply in the product's words."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError

from bot.channels import render
from bot.channels.schedule import (
    MAX_ANSWER_WINDOW,
    ScheduleError,
    ScheduleFieldError,
    format_duration,
    parse_duration,
    parse_schedule,
    parse_schedule_form,
)
from bot.channels.service import ChannelService, next_post
from bot.questions.library import QuestionLibrary
from bot.slack.blocks import metadata
from bot.slack.clients import ClientFor
from bot.slack.commands import Access, Handler, SubCommand, choice
from bot.slack.errors import slack_error
from bot.slack.mrkdwn import escape, slack_date_time
from bot.slack.people import People
from bot.slack.replies import FormErrors, Invocation, Reply
from storage.states import AnswerMode

log = logging.getLogger(__name__)

INVITE_HINT = (
    "I'm not a member of this channel yet. Invite me with `/invite @Interview Practice` "
    "(or mention me and choose *Invite*), then try again."
)
EMOJI = re.compile(r"^:?([a-z0-9_+'-]{1,64})(?:::skin-tone-\d)?:?$")


def _emoji_check(args: tuple[str, ...]) -> str | None:
    if args and not EMOJI.match(args[0].lower()):
        return "Give an emoji name, e.g. `/interview emoji :star:`."
    return None


SECTION = "Running the channel"
COMMANDS = (
    SubCommand(
        "schedule",
        "HH:MM [Area/City] [weekdays|daily] [reveal HH:MM | reveal-after 2h] "
        "[holidays CC[-SUBDIV]] [categories a,b]",
        "the daily question at that local time; without arguments it shows the schedule",
        SECTION,
        0,
        12,
        Access.ADMIN_TO_CHANGE,
    ),
    SubCommand("pause", "", "stop the daily question", SECTION, access=Access.ADMIN),
    SubCommand("resume", "", "restart the daily question", SECTION, access=Access.ADMIN),
    SubCommand(
        "mode",
        "blind|open",
        "blind: answers stay private until the reveal",
        SECTION,
        0,
        1,
        Access.ADMIN_TO_CHANGE,
        choice("blind", "open", example="/interview mode blind"),
    ),
    SubCommand(
        "remind",
        "1h|off",
        "one reminder to the channel before the reveal, naming nobody",
        SECTION,
        0,
        1,
        Access.ADMIN_TO_CHANGE,
    ),
    SubCommand(
        "emoji",
        ":star:",
        "the reaction that counts as a vote (default :+1:)",
        SECTION,
        0,
        1,
        Access.ADMIN_TO_CHANGE,
        _emoji_check,
    ),
)


@dataclass
class ChannelsUI:
    channels: ChannelService
    library: QuestionLibrary
    client_for: ClientFor
    people: People

    def handlers(self) -> dict[str, Handler]:
        return {
            "schedule": self.schedule,
            "pause": self.pause,
            "resume": self.resume,
            "mode": self.mode,
            "remind": self.remind,
            "emoji": self.emoji,
        }

    def pause(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        return self._set_paused(inv, True, now)

    def resume(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        return self._set_paused(inv, False, now)

    def _set_paused(self, inv: Invocation, paused: bool, now: datetime) -> Reply:
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

    def mode(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        if not args:
            mode = self.channels.mode(inv.team_id, inv.channel_id)
            return Reply(
                f"Answers here are *{mode}*"
                + (
                    " (private until the reveal)."
                    if mode == AnswerMode.BLIND
                    else " (in the thread)."
                )
                + " Admins change it with `/interview mode blind|open`."
            )
        mode = AnswerMode(args[0].lower())
        self.channels.set_mode(inv.team_id, inv.channel_id, mode, inv.user_id, now)
        if mode == AnswerMode.BLIND:
            text = (
                f"<@{inv.user_id}> switched this channel to *blind answers*: from the next "
                "question on, answer with the *Answer* button; answers stay private until "
                "the reveal, so nobody anchors on the first reply."
            )
        else:
            text = f"<@{inv.user_id}> switched this channel to *open answers* in the thread."
        return Reply(text, public=True)

    def remind(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        if not args:
            minutes = self.channels.reminder(inv.team_id, inv.channel_id)
            current = (
                f"Reminders here: one message {format_duration(timedelta(minutes=minutes))} "
                "before each reveal."
                if minutes
                else "Reminders are off here."
            )
            return Reply(
                f"{current} Admins change it with `/interview remind 1h` or `/interview remind off`."
            )
        if args[0].lower() == "off":
            self.channels.set_reminder(inv.team_id, inv.channel_id, None, inv.user_id, now)
            return Reply("Reminders are off in this channel.", public=True)
        duration = parse_duration(args[0])
        if (
            duration is None
            or not 0 < duration.total_seconds() <= MAX_ANSWER_WINDOW.total_seconds()
        ):
            return Reply(
                "Give the reminder as a duration before the reveal, like `1h` or `30m`, or `off`."
            )
        minutes = int(duration.total_seconds() // 60)
        self.channels.set_reminder(inv.team_id, inv.channel_id, minutes, inv.user_id, now)
        return Reply(
            f"<@{inv.user_id}> set a reminder {format_duration(duration)} before each reveal: "
            "one message to the channel (from the question's thread) with how many answered, "
            "no mentions.",
            public=True,
        )

    def emoji(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        if not args:
            emoji = self.channels.vote_emoji(inv.team_id, inv.channel_id)
            return Reply(f"Votes here are :{emoji}: reactions on answers (any skin tone).")
        match = EMOJI.match(args[0].lower())
        assert match is not None  # the command table checked it
        emoji = match.group(1)
        self.channels.set_vote_emoji(inv.team_id, inv.channel_id, emoji, inv.user_id, now)
        return Reply(
            f"<@{inv.user_id}> set the vote emoji here to :{emoji}:. React with it on the "
            "answers you find best.",
            public=True,
        )

    def schedule(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        if not args:
            return self._show_schedule(inv, now)
        person = self.people.person(inv.team_id, inv.user_id)
        categories = self.library.for_team(inv.team_id).categories()
        try:
            schedule = parse_schedule(args, person.timezone, categories)
        except ScheduleError as exc:
            return Reply(f"Nothing was saved. {escape(str(exc))}")  # it quotes what was typed
        if not self._bot_is_member(inv):
            return Reply(f"Nothing was saved. {INVITE_HINT}")
        self.channels.subscribe(inv.team_id, inv.channel_id, schedule, inv.user_id, now)
        upcoming = next_post(schedule, now)
        first = (
            f" First question: {slack_date_time(upcoming, schedule.timezone)}." if upcoming else ""
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
            f" Next question: {slack_date_time(upcoming, schedule.timezone)}."
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

    # -- the App Home's schedule form -----------------------------------------------------------

    def open_schedule_form(
        self, team_id: str, user_id: str, channel_id: str, trigger_id: str
    ) -> None:
        person = self.people.person(team_id, user_id)
        if not person.is_admin:
            return  # the button is only shown to admins; a stale Home tab gets nothing
        schedule, _ = self.channels.schedule(team_id, channel_id)
        view = render.schedule_modal(channel_id, schedule, person.timezone)
        self.client_for(team_id).views_open(trigger_id=trigger_id, view=view)

    def submit_schedule(
        self,
        team_id: str,
        user_id: str,
        private_metadata: str | None,
        fields: dict[str, str | None],
        now: datetime,
    ) -> FormErrors | None:
        channel_id = metadata(private_metadata).get("channel_id")
        if not isinstance(channel_id, str) or not self.people.is_admin(team_id, user_id):
            return {"time": "Only admins can change the schedule."}
        try:
            schedule = parse_schedule_form(fields, self.library.for_team(team_id).categories())
        except ScheduleFieldError as exc:
            return {exc.field: exc.problem}
        # The form edits times only: keep the channel's categories and its pause.
        existing, paused = self.channels.schedule(team_id, channel_id)
        if existing is not None:
            schedule = replace(schedule, categories=existing.categories)
        self.channels.subscribe(team_id, channel_id, schedule, user_id, now, paused=paused)
        return None

    def after_schedule(self, team_id: str, user_id: str, private_metadata: str | None) -> None:
        """After the modal closed: announce the change in the channel."""
        channel_id = metadata(private_metadata).get("channel_id")
        if not isinstance(channel_id, str):
            return
        schedule, _ = self.channels.schedule(team_id, channel_id)
        if schedule is None:
            return
        try:
            self.client_for(team_id).chat_postMessage(
                channel=channel_id,
                text=f"<@{user_id}> changed the daily interview question here: {schedule.describe()}.",
            )
        except Exception as exc:  # saved; the announcement is a courtesy
            log.info(
                "schedule announcement failed",
                extra={"channel": channel_id, "error": slack_error(exc)},
            )
