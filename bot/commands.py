"""`/interview ...`: parse the text (a pure function), check rights, call the services, and say
what happened in a sentence the user can act on."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import render
from bot.channels import ChannelService, next_post
from bot.library import QuestionLibrary
from bot.people import look_up
from bot.practice import (
    FilterError,
    apply_filters,
    closest,
    difficulties,
    find_question,
    parse_filters,
    random_question,
)
from bot.progress import ProgressService
from bot.rounds import (
    AlreadyClaimed,
    AlreadyOpen,
    NotInChannel,
    PostFailed,
    RoundService,
    Started,
)
from bot.schedule import (
    MAX_ANSWER_WINDOW,
    ScheduleError,
    format_duration,
    parse_duration,
    parse_schedule,
)

log = logging.getLogger(__name__)

INVITE_HINT = (
    "I'm not a member of this channel yet. Invite me with `/invite @Interview Practice` "
    "(or mention me and choose *Invite*), then try again."
)
_EMOJI = re.compile(r"^:?([a-z0-9_+'-]{1,64})(?:::skin-tone-\d)?:?$")
_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")

# name -> (usage, minimum words, maximum words or None)
GRAMMAR: dict[str, tuple[str, int, int | None]] = {
    "help": ("/interview help", 0, None),
    "now": ("/interview now [category] [difficulty]", 0, 3),
    "reveal": ("/interview reveal", 0, 0),
    "schedule": ("/interview schedule HH:MM [Area/City] [weekdays|daily] [reveal HH:MM]", 0, 12),
    "pause": ("/interview pause", 0, 0),
    "resume": ("/interview resume", 0, 0),
    "random": ("/interview random [category] [difficulty]", 0, 3),
    "ask": ("/interview ask <question-id>", 1, 1),
    "categories": ("/interview categories", 0, 0),
    "stats": ("/interview stats [@user]", 0, 1),
    "leaderboard": ("/interview leaderboard [week|month|all]", 0, 1),
    "mode": ("/interview mode blind|open", 0, 1),
    "remind": ("/interview remind 1h|off", 0, 1),
    "emoji": ("/interview emoji :star:", 0, 1),
    "add": ("/interview add", 0, 0),
    "questions": ("/interview questions mine", 1, 1),
}
ADMIN_ONLY = frozenset({"now", "reveal", "pause", "resume"})
ADMIN_TO_CHANGE = frozenset({"schedule", "mode", "remind", "emoji"})  # anyone may look


@dataclass(frozen=True)
class Command:
    name: str
    args: tuple[str, ...]


@dataclass(frozen=True)
class Usage:
    """The text could not be understood; `message` says why and how to write it."""

    message: str


def parse_command(text: str) -> Command | Usage:
    """Any text -> a Command with the right number of words, or a Usage message. Never raises."""
    words = text.replace("\u00a0", " ").split()
    if not words:
        return Command("help", ())
    name, args = words[0].lower(), tuple(words[1:])
    if name not in GRAMMAR:
        guess = closest(name, list(GRAMMAR))
        hint = f" Did you mean `/interview {guess}`?" if guess else ""
        shown = render.escape(name[:40]).replace("`", "'")
        return Usage(f"I don't know `{shown}`.{hint} `/interview help` lists what I can do.")
    usage, least, most = GRAMMAR[name]
    if len(args) < least or (most is not None and len(args) > most):
        return Usage(f"Usage: `{usage}`")
    if name == "leaderboard" and args and args[0].lower() not in ("week", "month", "all"):
        return Usage("Choose `week`, `month` or `all`, e.g. `/interview leaderboard week`.")
    if name == "mode" and args and args[0].lower() not in ("blind", "open"):
        return Usage("Choose `blind` or `open`, e.g. `/interview mode blind`.")
    if name == "questions" and args[0].lower() != "mine":
        return Usage("Usage: `/interview questions mine`")
    if name == "emoji" and args and not _EMOJI.match(args[0].lower()):
        return Usage("Give an emoji name, e.g. `/interview emoji :star:`.")
    if name == "stats" and args and not _MENTION.match(args[0]):
        return Usage("Mention the person, e.g. `/interview stats @alice`.")
    return Command(name, args)


@dataclass(frozen=True)
class Invocation:
    team_id: str
    channel_id: str
    user_id: str
    text: str
    trigger_id: str | None = None


@dataclass(frozen=True)
class Reply:
    text: str
    public: bool = False  # in_channel instead of ephemeral
    blocks: list[dict] | None = None


NO_REPLY = Reply("")


class CommandService:
    def __init__(
        self,
        rounds: RoundService,
        channels: ChannelService,
        library: QuestionLibrary,
        progress: ProgressService,
        client_for: Callable[[str], WebClient],
        extra_admins: frozenset[str],
    ) -> None:
        self.rounds = rounds
        self.channels = channels
        self.library = library
        self.progress = progress
        self.client_for = client_for
        self.extra_admins = extra_admins

    def run(self, inv: Invocation, now: datetime) -> Reply:
        parsed = parse_command(inv.text)
        if isinstance(parsed, Usage):
            return Reply(parsed.message)
        name, args = parsed.name, list(parsed.args)
        if name in ADMIN_ONLY or (name in ADMIN_TO_CHANGE and args):
            person = look_up(self.client_for(inv.team_id), inv.user_id, self.extra_admins)
            if not person.is_admin:
                return Reply(
                    f"Sorry, only workspace admins and the bot's admins can use "
                    f"`/interview {name}`. Ask one of them, or ask to be added to INTERVIEW_ADMINS."
                )
        return getattr(self, f"_{name}")(inv, args, now)

    # -- everyone -------------------------------------------------------------------------------

    def _help(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        return Reply(render.HELP)

    def _categories(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        bank = self.library.for_team(inv.team_id)
        return Reply(render.categories_message(bank.categories(), difficulties(bank)))

    def _random(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        bank = self.library.for_team(inv.team_id)
        try:
            question = random_question(apply_filters(bank, parse_filters(args, bank)))
        except FilterError as exc:
            return Reply(str(exc))
        text, blocks = render.practice_card(question)
        return Reply(text, blocks=blocks)

    def _ask(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        try:
            question = find_question(self.library.for_team(inv.team_id), args[0])
        except FilterError as exc:
            return Reply(str(exc))
        text, blocks = render.practice_card(question)
        return Reply(text, blocks=blocks)

    def _questions(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        mine = self.library.mine(inv.team_id, inv.user_id)
        empty = "You haven't added any questions yet. `/interview add` opens the form."
        return Reply(render.questions_list(mine, empty))

    def _add(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        if not inv.trigger_id:
            return Reply("Open the form again with `/interview add`.")
        categories = list(self.library.for_team(inv.team_id).categories())
        view = render.add_question_modal(inv.channel_id, categories)
        self.client_for(inv.team_id).views_open(trigger_id=inv.trigger_id, view=view)
        return NO_REPLY

    def _stats(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        user_id = _MENTION.match(args[0]).group(1) if args else inv.user_id  # type: ignore[union-attr]
        return Reply(self.progress.stats_text(inv.team_id, inv.channel_id, user_id, now))

    def _leaderboard(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        period = args[0].lower() if args else "week"
        text = self.progress.leaderboard_text(inv.team_id, inv.channel_id, period, now)
        if self.progress.post_without_pings(inv.team_id, inv.channel_id, text):
            return NO_REPLY
        return Reply(text)  # not in the channel: show it to the caller

    # -- admins ---------------------------------------------------------------------------------

    def _now(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        bank = None
        if args:
            full = self.library.for_team(inv.team_id)
            try:
                bank = apply_filters(full, parse_filters(args, full))
            except FilterError as exc:
                return Reply(str(exc))
        outcome = self.rounds.start(
            inv.team_id, inv.channel_id, now, bank=bank, started_by=inv.user_id
        )
        return self._started(
            outcome,
            "A round is already open in this channel. Reveal it first "
            "with `/interview reveal`, or let it run until its reveal time.",
        )

    def post_practice(
        self, team_id: str, channel_id: str, user_id: str, question_id: str, now: datetime
    ) -> Reply:
        """The "Post to channel" button of a practice card."""
        try:
            find_question(self.library.for_team(team_id), question_id)
        except FilterError as exc:
            return Reply(str(exc))
        outcome = self.rounds.start(
            team_id, channel_id, now, question_id=question_id, kind="practice", started_by=user_id
        )
        return self._started(outcome, "That practice question is already open here.")

    @staticmethod
    def _started(outcome: object, already: str) -> Reply:
        match outcome:
            case Started(question=question, reveal_at=reveal_at):
                when = render.slack_time(reveal_at, "UTC")
                return Reply(
                    f"Posted: _{render.escape(question.question)}_ I'll reveal the answer at {when}."
                )
            case AlreadyOpen() | AlreadyClaimed():
                return Reply(already)
            case NotInChannel():
                return Reply(INVITE_HINT)
            case PostFailed(error=error):
                return Reply(
                    f"Slack did not accept the post (`{error}`). Please try again shortly."
                )
        raise AssertionError(outcome)

    def _reveal(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        result = self.rounds.reveal_open(inv.team_id, inv.channel_id, now)
        if result is None:
            return Reply("There's no open round in this channel. Start one with `/interview now`.")
        return Reply(f"Revealed. {result.participants} answered.")

    def _pause(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        return self._set_paused(inv, True, now)

    def _resume(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
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

    def _mode(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        if not args:
            mode = self.channels.mode(inv.team_id, inv.channel_id)
            return Reply(
                f"Answers here are *{mode}*"
                + (" (private until the reveal)." if mode == "blind" else " (in the thread).")
                + " Admins change it with `/interview mode blind|open`."
            )
        mode = args[0].lower()
        self.channels.set_mode(inv.team_id, inv.channel_id, mode, inv.user_id, now)
        if mode == "blind":
            text = (
                f"<@{inv.user_id}> switched this channel to *blind answers*: from the next "
                "question on, answer with the *Answer* button; answers stay private until "
                "the reveal, so nobody anchors on the first reply."
            )
        else:
            text = f"<@{inv.user_id}> switched this channel to *open answers* in the thread."
        return Reply(text, public=True)

    def _remind(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        if not args:
            return Reply(
                "Set a reminder before the reveal with `/interview remind 1h`, or "
                "`/interview remind off`."
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
            "one message in the thread with how many answered, no mentions.",
            public=True,
        )

    def _emoji(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        if not args:
            emoji = self.channels.vote_emoji(inv.team_id, inv.channel_id)
            return Reply(f"Votes here are :{emoji}: reactions on answers (any skin tone).")
        emoji = _EMOJI.match(args[0].lower()).group(1)  # type: ignore[union-attr]
        self.channels.set_vote_emoji(inv.team_id, inv.channel_id, emoji, inv.user_id, now)
        return Reply(
            f"<@{inv.user_id}> set the vote emoji here to :{emoji}:. React with it on the "
            "answers you find best.",
            public=True,
        )

    def _schedule(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        if not args:
            return self._show_schedule(inv, now)
        person = look_up(self.client_for(inv.team_id), inv.user_id, self.extra_admins)
        categories = self.library.for_team(inv.team_id).categories()
        try:
            schedule = parse_schedule(args, person.timezone, categories)
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
