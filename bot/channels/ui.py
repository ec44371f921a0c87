"""What admins do to run a channel from Slack (schedule, pause, mode, reminders, vote emoji) and
what anyone sees of it; each returns a reply in the product's words."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.channels import render
from bot.channels.admins import Admins, Change
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
from bot.questions.practice import random_question
from bot.questions.render import practice_card
from bot.slack.blocks import metadata
from bot.slack.channels import ChannelDirectory
from bot.slack.clients import ClientFor
from bot.slack.commands import SHOW_USAGE, Access, Handler, SubCommand, choice
from bot.slack.errors import slack_error
from bot.slack.mrkdwn import escape, slack_date_time
from bot.slack.people import People, RoleUnknown, ask_one_of
from bot.slack.replies import FormErrors, Invocation, Reply
from storage.states import AnswerMode

log = logging.getLogger(__name__)

NOT_A_MEMBER = (
    "I'm not a member of that channel yet. Invite me there (/invite @interview-practice), "
    "then save again."
)
INVITE_HINT = (
    "I'm not a member of this channel yet. Invite me with `/invite @interview-practice` "
    "(or mention me and choose *Invite*), then try again."
)
STALE_PICK = (
    "The form doesn't show this channel's settings yet, so saving would change them. Pick the "
    "channel again to load them, then save."
)
SET_UP = (
    " They set this channel up, so they are its admin: `/interview admins add @name` adds another."
)
EMOJI = re.compile(r"^:?([a-z0-9_+'-]{1,64})(?:::skin-tone-\d)?:?$")
MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


def _emoji_check(args: tuple[str, ...]) -> str | None:
    if args and not EMOJI.match(args[0].lower()):
        return "Give an emoji name, e.g. `/interview emoji :star:`."
    return None


def _check_grant(args: tuple[str, ...]) -> str | None:
    """`add @someone`, `remove @someone`, or nothing (the list); else the table's usage."""
    if not args:
        return None
    if len(args) != 2 or args[0].lower() not in ("add", "remove") or not MENTION.match(args[1]):
        return SHOW_USAGE
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
        sets_up=True,
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
    SubCommand(
        "admins",
        "[add|remove @name]",
        "who runs this channel; its admins add or remove one",
        SECTION,
        0,
        2,
        Access.ADMIN_TO_CHANGE,
        _check_grant,
    ),
    SubCommand(
        "managers",
        "[add|remove @name]",
        "who runs calibration; managers add or remove one",
        "Calibration",
        0,
        2,
        Access.MANAGER_TO_CHANGE,
        _check_grant,
    ),
)


@dataclass(frozen=True)
class Saved:
    """The schedule form was saved; `first`: it set the channel up."""

    first: bool


@dataclass
class ChannelsUI:
    channels: ChannelService
    library: QuestionLibrary
    client_for: ClientFor
    people: People
    admins: Admins
    directory: ChannelDirectory | None = None  # which channels are private

    def handlers(self) -> dict[str, Handler]:
        return {
            "admins": self.channel_admins,
            "managers": self.managers,
            "schedule": self.schedule,
            "pause": self.pause,
            "resume": self.resume,
            "mode": self.mode,
            "remind": self.remind,
            "emoji": self.emoji,
        }

    # -- who runs the channel --------------------------------------------------------------------

    def channel_admins(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        """`/interview admins`: the list for anyone; `add @x` / `remove @x` for its admins."""
        if not args:
            return Reply(self.admins_text(inv.team_id, inv.channel_id))
        user_id = _mentioned(args[1])
        if args[0].lower() == "add":
            match self.admins.add(inv.team_id, inv.channel_id, user_id, inv.user_id, now):
                case Change.ALREADY:
                    return Reply(f"<@{user_id}> is already an admin of this channel.")
            return Reply(
                f"<@{inv.user_id}> made <@{user_id}> an admin of this channel: they can change "
                "its schedule, pause it and add or remove admins. `/interview admins` lists them.",
                public=True,
            )
        match self.admins.remove(inv.team_id, inv.channel_id, user_id):
            case Change.ALREADY:
                return Reply(
                    f"<@{user_id}> is not one of this channel's admins. "
                    + self.admins_text(inv.team_id, inv.channel_id)
                )
            case Change.LAST_ADMIN:
                return Reply(
                    f"<@{user_id}> is this channel's only admin: add another first "
                    "(`/interview admins add @name`), so someone is left to ask."
                )
        return Reply(
            f"<@{inv.user_id}> removed <@{user_id}> from this channel's admins.", public=True
        )

    def admins_text(self, team_id: str, channel_id: str) -> str:
        """Who runs this channel, and who else may: for anyone who asks."""
        found = self.admins.of_channel(team_id, channel_id)
        bot_admins = self.people.bot_admins(team_id)
        if found.admins:
            lines = [f"*Admins of this channel:* {_mentions(found.admins)}."]
        elif found.set_up:
            lines = ["This channel has no admins of its own: the bot's admins run it."]
        else:
            lines = [
                "Nobody runs this channel yet. Whoever sets it up (`/interview schedule 09:30`) "
                "becomes its admin."
            ]
        everywhere = f"{_mentions(bot_admins)} and " if bot_admins else ""
        lines.append(f"The bot's admins run every channel: {everywhere}Slack workspace admins.")
        lines.append(
            "Admins add or remove one with `/interview admins add @name` or `remove @name`."
        )
        return "\n".join(lines)

    def managers(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        """`/interview managers`: who runs calibration; managers (the bot's admins among them)
        add or remove one, as a channel's admins do theirs."""
        if not args:
            listed = self.people.managers_of(inv.team_id)
            named = f"{_mentions(listed)}, and " if listed else ""
            return Reply(
                f"*Hiring managers* (start calibration sessions, read the reports): {named}"
                "the bot's admins. Managers add or remove one with "
                "`/interview managers add @name` or `remove @name`."
            )
        user_id = _mentioned(args[1])
        if args[0].lower() == "add":
            if self.admins.add_manager(inv.team_id, user_id, inv.user_id, now) == Change.ALREADY:
                return Reply(f"<@{user_id}> is already a hiring manager.")
            return Reply(
                f"<@{inv.user_id}> made <@{user_id}> a hiring manager: they can start "
                "calibration sessions and read the reports.",
                public=True,
            )
        if self.admins.remove_manager(inv.team_id, user_id) == Change.ALREADY:
            extra = " (INTERVIEW_MANAGERS lists them: the bot's operator changes that)"
            listed_by_operator = user_id in self.people.managers
            return Reply(
                f"<@{user_id}> was not made a manager in Slack"
                f"{extra if listed_by_operator else ''}, so there is nothing to remove."
            )
        return Reply(
            f"<@{inv.user_id}> removed <@{user_id}> from the hiring managers.", public=True
        )

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
        if not self._bot_is_member(inv.team_id, inv.channel_id):
            return Reply(f"Nothing was saved. {INVITE_HINT}")
        set_up = self.channels.subscribe(inv.team_id, inv.channel_id, schedule, inv.user_id, now)
        upcoming = next_post(schedule, now)
        first = (
            f" First question: {slack_date_time(upcoming, schedule.timezone)}." if upcoming else ""
        )
        return Reply(
            f"<@{inv.user_id}> scheduled the daily interview question here: "
            f"{schedule.describe()}.{first}" + (SET_UP if set_up else ""),
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

    def _bot_is_member(self, team_id: str, channel_id: str) -> bool:
        try:
            info = self.client_for(team_id).conversations_info(channel=channel_id)
        except SlackApiError as exc:
            if exc.response.get("error") in ("channel_not_found", "not_in_channel"):
                return False
            log.warning("conversations.info failed", extra={"channel": channel_id})
            return True  # don't block scheduling on a lookup hiccup; posting will tell
        channel = info.get("channel") or {}
        return bool(channel.get("is_member", True))

    # -- the schedule form: from the Home tab and from the intro ----------------------------------

    def may_set_up(self, team_id: str, channel_id: str, user_id: str) -> bool:
        """The channel's admins and the bot's admins; anyone, for a channel nobody set up yet.
        Raises RoleUnknown when only Slack could tell and it did not answer."""
        return self.admins.is_unclaimed(team_id, channel_id) or self.people.is_channel_admin(
            team_id, channel_id, user_id
        )

    def open_schedule_form(
        self, team_id: str, user_id: str, channel_id: str, trigger_id: str
    ) -> Reply | None:
        """The schedule form for `channel_id`, or with a channel picker for "" (the Home tab's
        Set up a channel). A refusal comes back as a reply (there is nowhere to show one on the
        Home tab, whose buttons are only shown to those who may)."""
        try:
            allowed = (
                bool(self.admins.channels_of(team_id, user_id))
                or self.people.is_admin(team_id, user_id)
                if not channel_id
                else self.may_set_up(team_id, channel_id, user_id)
            )
        except RoleUnknown as exc:
            return Reply(exc.message)
        if not allowed and not channel_id:
            return Reply(
                "Only the bot's admins and channels' admins set channels up from here. In a "
                "channel nobody runs yet, anyone can: `/interview schedule 09:30` there. "
                + ask_one_of(self.people.bot_admins(team_id))
            )
        if not allowed:
            return Reply(self._not_yours(team_id, channel_id))
        if channel_id and not self._bot_is_member(team_id, channel_id):
            return Reply(INVITE_HINT)
        person = self.people.person(team_id, user_id)
        schedule = self.channels.schedule(team_id, channel_id)[0] if channel_id else None
        view = render.schedule_modal(
            channel_id or None, schedule, person.timezone, self._settings(team_id, channel_id)
        )
        self.client_for(team_id).views_open(trigger_id=trigger_id, view=view)
        return None

    def picked_form(self, team_id: str, user_id: str, picked: str) -> dict[str, Any]:
        """The Set up a channel form once a channel is picked in it: that channel's settings
        (so saving changes only what was changed), or the defaults with what stands in the way:
        rights, or the bot not being in the channel."""
        person = self.people.person(team_id, user_id)
        notice = None
        try:
            if not self.may_set_up(team_id, picked, user_id):
                notice = self._not_yours(team_id, picked)
        except RoleUnknown as exc:
            notice = exc.message
        if notice is None and not self._bot_is_member(team_id, picked):
            notice = NOT_A_MEMBER.replace(", then save again.", ", then pick it again.")
        if notice is not None:
            return render.schedule_modal(
                None,
                None,
                person.timezone,
                self._settings(team_id, ""),
                picked=picked,
                notice=notice,
            )
        schedule, paused = self.channels.schedule(team_id, picked)
        if schedule is not None:
            notice = f"<#{picked}> is {'paused' if paused else 'running'}: its settings are below."
        return render.schedule_modal(
            None,
            schedule,
            person.timezone,
            self._settings(team_id, picked),
            picked=picked,
            notice=notice,
        )

    def _settings(self, team_id: str, channel_id: str) -> render.ChannelSettings:
        known = tuple(sorted(self.library.for_team(team_id).categories()))
        if not channel_id:
            return render.ChannelSettings(known_categories=known)
        schedule, paused = self.channels.schedule(team_id, channel_id)
        return render.ChannelSettings(
            categories=schedule.categories if schedule else (),
            known_categories=known,
            mode=self.channels.mode(team_id, channel_id),
            paused=paused,
        )

    def _not_yours(
        self,
        team_id: str,
        channel_id: str,
        what: str = "its daily question",
        *,
        plain: bool = False,
    ) -> str:
        """Who may change `what` of the channel, and so whom to ask (by plain names for a
        form's error, which Slack shows as plain text)."""
        name = self.people.plain_name(team_id) if plain else (lambda u: f"<@{u}>")
        admins = self.people.channel_admins(team_id, channel_id)
        if admins:
            ask = ask_one_of(admins, "", name)
            return f"Only this channel's admins can change {what}. {ask}"
        ask = ask_one_of(self.people.bot_admins(team_id), name=name)
        return (
            f"This channel has no admins of its own: only the bot's admins can change {what}. {ask}"
        )

    def submit_schedule(
        self,
        team_id: str,
        user_id: str,
        private_metadata: str | None,
        fields: dict[str, str | None],
        now: datetime,
    ) -> FormErrors | Saved:
        """Save the form: the schedule, and (when the form has them) categories, mode, pause.
        The rights are checked again for the channel the form names."""
        form = metadata(private_metadata)
        channel_id = form.get("channel_id") or fields.get("channel")
        if not isinstance(channel_id, str) or not channel_id:
            if "channel" in fields:
                return {"channel": "Choose the channel for the daily question."}
            return {"time": "Only admins can change the schedule."}  # a form that isn't ours
        field = "channel" if "channel" in fields else "time"
        try:
            if not self.may_set_up(team_id, channel_id, user_id):
                return {field: self._not_yours(team_id, channel_id, plain=True)}
        except RoleUnknown as exc:
            return {field: exc.message.replace("`", "")}
        known = self.library.for_team(team_id).categories()
        try:
            schedule = parse_schedule_form(fields, known)
        except ScheduleFieldError as exc:
            return {exc.field: exc.problem.replace("`", "")}
        if not self._bot_is_member(team_id, channel_id):
            return {field: NOT_A_MEMBER}
        existing, paused = self.channels.schedule(team_id, channel_id)
        if field == "channel" and existing is not None and form.get("shown_for") != channel_id:
            # picked, but Slack has not shown its settings yet (or showed another's)
            return {field: STALE_PICK}
        if "categories" not in fields and existing is not None:
            schedule = replace(schedule, categories=existing.categories)  # a form without them
        if fields.get("state") in (render.RUNNING, render.PAUSED):
            paused = fields["state"] == render.PAUSED
        mode = fields.get("mode")
        extra = {"mode": AnswerMode(mode)} if mode in tuple(AnswerMode) else {}
        first = self.channels.subscribe(
            team_id, channel_id, schedule, user_id, now, paused, **extra
        )
        return Saved(first)

    def after_schedule(
        self,
        team_id: str,
        user_id: str,
        private_metadata: str | None,
        fields: dict[str, str | None] | None = None,
        *,
        first: bool = False,
    ) -> None:
        """After the modal closed: announce the change in the channel (`first`: it was the
        channel's first setup, which made the person its admin)."""
        channel_id = metadata(private_metadata).get("channel_id") or (fields or {}).get("channel")
        if not isinstance(channel_id, str) or not channel_id:
            return
        schedule, paused = self.channels.schedule(team_id, channel_id)
        if schedule is None:
            return
        state = " It is *paused* for now." if paused else ""
        what = "set up" if first else "changed"
        try:
            self.client_for(team_id).chat_postMessage(
                channel=channel_id,
                text=f"<@{user_id}> {what} the daily interview question here: "
                f"{schedule.describe()}.{state}" + (SET_UP if first else ""),
            )
        except Exception as exc:  # saved; the announcement is a courtesy
            log.info(
                "schedule announcement failed",
                extra={"channel": channel_id, "error": slack_error(exc)},
            )

    # -- getting started ---------------------------------------------------------------------

    def introduce(
        self, team_id: str, channel_id: str, inviter: str | None, joined_ts: str, now: datetime
    ) -> bool:
        """The bot was invited to a channel: one short public intro with Set up and Try buttons,
        once per join (a retried event posts nothing). True when it was posted."""
        if not self.admins.claim_intro(team_id, channel_id, joined_ts, now):
            return False
        schedule, paused = self.channels.schedule(team_id, channel_id)
        text, blocks = render.intro_message(
            channel_id, inviter, set_up=schedule is not None, paused=paused
        )
        try:
            self.client_for(team_id).chat_postMessage(channel=channel_id, text=text, blocks=blocks)
        except Exception as exc:  # claimed: a failed intro is not retried, the commands still work
            log.warning(
                "intro not posted", extra={"channel": channel_id, "error": slack_error(exc)}
            )
            return False
        return True

    def home_blocks(
        self, team_id: str, user_id: str, answers: int, votes: int, scores: int
    ) -> list[dict[str, Any]]:
        """The Home tab's getting-started sections: Set up a channel (for admins), Practise
        now, what the bot stores about the person, and who runs each channel."""
        role_error = None
        try:
            is_bot_admin = self.people.is_admin(team_id, user_id)
            is_manager = is_bot_admin or self.people.is_manager(team_id, user_id)
        except RoleUnknown as exc:
            is_bot_admin, is_manager, role_error = False, False, exc.error
        admin_of = tuple(self.admins.channels_of(team_id, user_id))
        channels = []
        for channel_id, _, _ in self.channels.all_for_team(team_id):
            admins = tuple(self.people.channel_admins(team_id, channel_id))
            # A private channel is named only to the people who run it.
            if is_bot_admin or user_id in admins or not self._is_private(team_id, channel_id):
                channels.append((channel_id, admins))
        first = render.FirstRun(
            user_id=user_id,
            is_bot_admin=is_bot_admin,
            can_set_up=is_bot_admin or bool(admin_of),
            answers=answers,
            votes=votes,
            scores=scores,
            admin_of=admin_of,
            is_manager=is_manager,
            channels=tuple(channels),
            bot_admins=tuple(self.people.bot_admins(team_id)),
            role_error=role_error,
        )
        return render.first_run_blocks(first)

    def _is_private(self, team_id: str, channel_id: str) -> bool:
        return self.directory.is_private(team_id, channel_id) if self.directory else False

    def open_admins_form(
        self, team_id: str, user_id: str, channel_id: str, trigger_id: str
    ) -> Reply | None:
        """Change admins on the Home tab (the button is shown to those who may; a stale tab,
        or a role Slack could not confirm, is told why nothing opened)."""
        if not channel_id:
            return None
        try:
            if not self.people.is_channel_admin(team_id, channel_id, user_id):
                return Reply(self._not_yours(team_id, channel_id, "its admins"))
        except RoleUnknown as exc:
            return Reply(exc.message)
        view = render.admins_modal(channel_id, self.people.channel_admins(team_id, channel_id))
        self.client_for(team_id).views_open(trigger_id=trigger_id, view=view)
        return None

    def submit_admins(
        self,
        team_id: str,
        user_id: str,
        private_metadata: str | None,
        chosen: Sequence[str],
        now: datetime,
    ) -> FormErrors | None:
        """Save the channel's admins as chosen (checked again: a replayed form changes
        nothing); at least one stays."""
        channel_id = metadata(private_metadata).get("channel_id")
        try:
            allowed = isinstance(channel_id, str) and self.people.is_channel_admin(
                team_id, channel_id, user_id
            )
        except RoleUnknown as exc:
            return {"admins": exc.message.replace("`", "")}
        if not isinstance(channel_id, str) or not channel_id:
            return {"admins": "Only this channel's admins can change its admins."}
        if not allowed:
            return {"admins": self._not_yours(team_id, channel_id, "its admins", plain=True)}
        people = [u for u in dict.fromkeys(chosen) if MENTION.match(f"<@{u}>")]
        if not people:
            return {"admins": "Choose at least one person: someone must be left to ask."}
        self.admins.set_admins(team_id, channel_id, people, user_id, now)
        return None

    def after_admins(self, team_id: str, user_id: str, private_metadata: str | None) -> None:
        """After the modal closed: say in the channel who runs it now."""
        channel_id = metadata(private_metadata).get("channel_id")
        if not isinstance(channel_id, str):
            return
        admins = self.people.channel_admins(team_id, channel_id)
        try:
            self.client_for(team_id).chat_postMessage(
                channel=channel_id,
                text=f"<@{user_id}> changed who runs this channel: {_mentions(admins)}.",
            )
        except Exception as exc:  # saved; the announcement is a courtesy
            log.info(
                "admins announcement failed",
                extra={"channel": channel_id, "error": slack_error(exc)},
            )

    def try_question(self, team_id: str, user_id: str, channel_id: str) -> Reply | None:
        """Try a question / Practise now: a question just for the presser. From a message, a
        private reply; from the Home tab (no channel), a direct message."""
        question = random_question(self.library.for_team(team_id))
        text, blocks = practice_card(question)
        if channel_id:
            return Reply(text, blocks=blocks)
        self.client_for(team_id).chat_postMessage(channel=user_id, text=text, blocks=blocks)
        return None


def _mentioned(word: str) -> str:
    match = MENTION.match(word)
    assert match is not None  # the command table checked it
    return match.group(1)


def _mentions(users: Sequence[str]) -> str:
    return ", ".join(f"<@{u}>" for u in users)
