"""What a person does with rounds from Slack: start one now, reveal it, answer a blind round,
post a practice question to the channel; each returns a reply in the product's words."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.channels.ui import INVITE_HINT
from bot.questions.library import QuestionLibrary
from bot.questions.practice import FilterError, apply_filters, find_question, parse_filters
from bot.questions.render import question_text
from bot.rounds import render
from bot.rounds.blind import BlindAnswers, BlindAnswerSaved
from bot.rounds.reveal import MISSING_QUESTION, RevealFailed
from bot.rounds.service import (
    AlreadyClaimed,
    AlreadyOpen,
    NotInChannel,
    PostFailed,
    RoundService,
    Started,
    StartOutcome,
)
from bot.slack.blocks import metadata
from bot.slack.clients import ClientFor
from bot.slack.commands import Access, Handler, SubCommand
from bot.slack.errors import slack_error, what_to_fix
from bot.slack.mrkdwn import slack_time
from bot.slack.people import SLACK_ADMINS, People, RoleUnknown, ask_one_of
from bot.slack.replies import FormErrors, Invocation, Reply

log = logging.getLogger(__name__)

SECTION = "Running the channel"
COMMANDS = (
    SubCommand(
        "now",
        "[category] [difficulty]",
        "start a round here right now",
        SECTION,
        0,
        3,
        Access.ADMIN,
    ),
    SubCommand("reveal", "", "reveal this channel's open round now", SECTION, access=Access.ADMIN),
)
CLOSED = "This round has been revealed; answers are closed."


ONLY_POSTER = (
    "Only the person who posted this practice question, or an admin of this channel, can reveal it."
)


@dataclass
class RoundsUI:
    rounds: RoundService
    blind: BlindAnswers
    library: QuestionLibrary
    client_for: ClientFor
    people: People

    def handlers(self) -> dict[str, Handler]:
        return {"now": self.now, "reveal": self.reveal}

    def now(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        bank = None
        if args:
            full = self.library.for_team(inv.team_id)
            try:
                bank = apply_filters(full, parse_filters(args, full))
            except FilterError as exc:
                return Reply(str(exc))
        outcome = self.rounds.start_now(
            inv.team_id, inv.channel_id, now, bank=bank, started_by=inv.user_id
        )
        return _started(
            outcome,
            "A round is already open in this channel. Reveal it first "
            "with `/interview reveal`, or let it run until its reveal time.",
        )

    def reveal(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        result = self.rounds.reveal_open(inv.team_id, inv.channel_id, now)
        match result:
            case None:
                return Reply(
                    "There's no open round in this channel. Start one with `/interview now`."
                )
            case RevealFailed(error=error, retrying=True):
                return Reply(
                    f"Slack didn't take the reveal just now (`{error}`). The round stays open "
                    "and I'll post the reveal within a minute or two; nothing is lost."
                )
            case RevealFailed(error=error):
                return Reply(f"Slack refused the reveal (`{error}`). {what_to_fix(error)}")
        return Reply(f"Revealed. {result.participants} answered.")

    def post_practice(
        self, team_id: str, channel_id: str, user_id: str, question_id: str, now: datetime
    ) -> Reply:
        """The "Post to channel" button of a practice card."""
        try:
            find_question(self.library.for_team(team_id), question_id)
        except FilterError as exc:
            return Reply(str(exc))
        outcome = self.rounds.start_practice(team_id, channel_id, question_id, now, user_id)
        return _started(outcome, "That practice question is already open here.")

    def reveal_button(
        self, team_id: str, user_id: str, round_id: int, now: datetime
    ) -> Reply | None:
        """The "Reveal now" button of a practice question: its poster or the channel's admins
        (the bot's admins too)."""
        found = self.rounds.poster_of(team_id, round_id)
        if found is None:  # not this workspace's: name nobody
            return Reply(ONLY_POSTER)
        poster, channel_id = found
        try:
            allowed = poster == user_id or self.people.is_channel_admin(
                team_id, channel_id, user_id
            )
        except RoleUnknown as exc:
            return Reply(exc.message)
        if not allowed:
            admins = list(self.people.channel_admins(team_id, channel_id))
            ask = [poster] if poster else []
            ask += [a for a in admins or self.people.bot_admins(team_id) if a not in ask]
            return Reply(f"{ONLY_POSTER} {ask_one_of(ask, '' if admins else SLACK_ADMINS)}")
        match self.rounds.reveal(round_id, now, team_id):
            case None:
                return Reply("This round is already revealed.")
            case RevealFailed(error=error, retrying=True):
                return Reply(
                    f"Slack didn't take the reveal just now (`{error}`). The round stays open "
                    "and I'll post the reveal within a minute or two; nothing is lost."
                )
            case RevealFailed(error=error):
                return Reply(f"Slack refused the reveal (`{error}`). {what_to_fix(error)}")
        return None

    def explain_blind_round(
        self, team_id: str, channel_id: str, user_id: str, thread_ts: str
    ) -> None:
        """Someone replied in a blind round's thread: tell them (only) how answers work here."""
        try:
            self.client_for(team_id).chat_postEphemeral(
                channel=channel_id, user=user_id, thread_ts=thread_ts, text=BLIND_HINT
            )
        except Exception as exc:  # a hint; the reply itself is stored as not-an-answer
            log.info("blind hint failed", extra={"error": slack_error(exc)})

    # -- blind answers --------------------------------------------------------------------------

    def open_answer_form(
        self, team_id: str, round_id: int, user_id: str, trigger_id: str
    ) -> Reply | None:
        """The "Answer" button: a modal with the person's current answer; a note if closed."""
        current = self.blind.open_round(team_id, round_id, user_id)
        if current is None:
            return Reply(CLOSED)
        question_id, answer = current
        question = self.library.find(team_id, question_id) or MISSING_QUESTION
        view = render.answer_modal(question, round_id, answer)
        self.client_for(team_id).views_open(trigger_id=trigger_id, view=view)
        return None

    def submit_answer(
        self,
        team_id: str,
        user_id: str,
        private_metadata: str | None,
        text: str | None,
        now: datetime,
    ) -> FormErrors | None:
        block = render.ANSWER_INPUT[0]
        answer = (text or "").strip()
        if not answer:
            return {block: "Write an answer first."}
        round_id = metadata(private_metadata).get("round_id")
        if not isinstance(round_id, int):
            return {block: "This form is out of date; press Answer on the question again."}
        outcome = self.blind.submit(team_id, round_id, user_id, answer, now)
        if not isinstance(outcome, BlindAnswerSaved):
            return {block: CLOSED}
        return None

    def after_answer(self, team_id: str, private_metadata: str | None) -> None:
        """After the modal closed: bring the thread's answer count up to date."""
        round_id = metadata(private_metadata).get("round_id")
        if isinstance(round_id, int):
            self.blind.refresh_counter(team_id, round_id)


def _started(outcome: StartOutcome, already: str) -> Reply:
    match outcome:
        case Started(question=question, reveal_at=reveal_at):
            when = slack_time(reveal_at, "UTC")
            return Reply(
                f"Posted: _{question_text(question.question)}_ I'll reveal the answer at {when}."
            )
        case AlreadyOpen() | AlreadyClaimed():
            return Reply(already)
        case NotInChannel(error="not_in_channel"):
            return Reply(INVITE_HINT)
        case NotInChannel(error=error):  # archived, or gone: inviting me again won't help
            return Reply(f"Slack did not accept the post (`{error}`). {what_to_fix(error)}")
        case PostFailed(error=error) if error.startswith("unconfirmed"):
            return Reply(
                "Slack didn't answer, and I couldn't check whether the question landed, so I "
                "won't post it again. Look in the channel; `python -m bot status` shows it."
            )
        case PostFailed(error=error):
            return Reply(f"Slack did not accept the post (`{error}`). {what_to_fix(error)}")
    raise AssertionError(outcome)


BLIND_HINT = (
    "This round is *blind*: replies in the thread don't count as answers, and everyone can "
    "read them. Press *Answer* on the question to answer privately; all answers are posted "
    "at the reveal. You may want to delete your reply."
)
