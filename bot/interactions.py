"""Buttons and forms: blind answers, practice cards, the App Home schedule editor, new questions."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from slack_sdk import WebClient

from bot import render
from bot.channels import ChannelService
from bot.commands import CommandService, Reply
from bot.library import NewQuestion, QuestionInputError, QuestionLibrary
from bot.people import look_up
from bot.practice import FilterError, find_question
from bot.progress import ProgressService
from bot.rounds import MISSING_QUESTION, BlindAnswerSaved, RoundService
from bot.schedule import ScheduleFieldError, parse_schedule_form

log = logging.getLogger(__name__)

FormErrors = dict[str, str]  # input block id -> message shown under it


def _metadata(raw: str | None) -> dict:
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


class InteractionService:
    """Buttons and forms act on the same services as the slash command, so it shares them."""

    def __init__(self, commands: CommandService) -> None:
        self.commands = commands
        self.rounds: RoundService = commands.rounds
        self.channels: ChannelService = commands.channels
        self.library: QuestionLibrary = commands.library
        self.progress: ProgressService = commands.progress
        self.client_for: Callable[[str], WebClient] = commands.client_for
        self.extra_admins: frozenset[str] = commands.extra_admins

    def _is_admin(self, team_id: str, user_id: str) -> bool:
        return look_up(self.client_for(team_id), user_id, self.extra_admins).is_admin

    # -- blind answers --------------------------------------------------------------------------

    def open_answer_form(
        self, team_id: str, round_id: int, user_id: str, trigger_id: str
    ) -> Reply | None:
        """The "Answer" button: a modal with the person's current answer; a note if closed."""
        if not self.rounds.is_open_blind(team_id, round_id):
            return Reply("This round has been revealed; answers are closed.")
        question_id = self.rounds.question_of(team_id, round_id) or ""
        question = self.library.for_team(team_id).get(question_id) or MISSING_QUESTION
        current = self.rounds.current_blind_answer(team_id, round_id, user_id)
        view = render.answer_modal(question, round_id, current)
        self.client_for(team_id).views_open(trigger_id=trigger_id, view=view)
        return None

    def submit_answer(
        self, team_id: str, user_id: str, metadata: str | None, text: str | None, now: datetime
    ) -> FormErrors | None:
        block = render.ANSWER_INPUT[0]
        answer = (text or "").strip()
        if not answer:
            return {block: "Write an answer first."}
        round_id = _metadata(metadata).get("round_id")
        if not isinstance(round_id, int):
            return {block: "This form is out of date; press Answer on the question again."}
        outcome = self.rounds.submit_blind_answer(team_id, round_id, user_id, answer, now)
        if not isinstance(outcome, BlindAnswerSaved):
            return {block: "This round has been revealed; answers are closed."}
        return None

    def after_answer(self, team_id: str, metadata: str | None) -> None:
        """After the modal closed: bring the thread's answer count up to date."""
        round_id = _metadata(metadata).get("round_id")
        if isinstance(round_id, int):
            self.rounds.refresh_blind_counter(team_id, round_id)

    # -- practice -------------------------------------------------------------------------------

    def show_sample(self, team_id: str, question_id: str) -> Reply:
        try:
            question = find_question(self.library.for_team(team_id), question_id)
        except FilterError as exc:
            return Reply(str(exc))
        text, blocks = render.practice_card(question, sample=True)
        return Reply(text, blocks=blocks)

    def post_practice(
        self, team_id: str, channel_id: str, user_id: str, question_id: str, now: datetime
    ) -> Reply:
        return self.commands.post_practice(team_id, channel_id, user_id, question_id, now)

    def reveal_button(
        self, team_id: str, user_id: str, round_id: int, now: datetime
    ) -> Reply | None:
        """The "Reveal now" button of a practice question: its poster or an admin."""
        if not (
            self.rounds.may_reveal(team_id, round_id, user_id) or self._is_admin(team_id, user_id)
        ):
            return Reply(
                "Only the person who posted this practice question, or an admin, can reveal it."
            )
        if self.rounds.reveal(round_id, now, team_id) is None:
            return Reply("This round is already revealed.")
        return None

    # -- App Home -------------------------------------------------------------------------------

    def publish_home(self, team_id: str, user_id: str, now: datetime) -> None:
        view = self.progress.home(team_id, user_id, self._is_admin(team_id, user_id), now)
        self.client_for(team_id).views_publish(user_id=user_id, view=view)

    def open_schedule_form(
        self, team_id: str, user_id: str, channel_id: str, trigger_id: str
    ) -> None:
        if not self._is_admin(team_id, user_id):
            return  # the button is only shown to admins; a stale Home tab gets nothing
        schedule, _ = self.channels.schedule(team_id, channel_id)
        person = look_up(self.client_for(team_id), user_id, self.extra_admins)
        view = render.schedule_modal(channel_id, schedule, person.timezone)
        self.client_for(team_id).views_open(trigger_id=trigger_id, view=view)

    def submit_schedule(
        self,
        team_id: str,
        user_id: str,
        metadata: str | None,
        fields: dict[str, str | None],
        now: datetime,
    ) -> FormErrors | None:
        channel_id = _metadata(metadata).get("channel_id")
        if not isinstance(channel_id, str) or not self._is_admin(team_id, user_id):
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

    def after_schedule(
        self, team_id: str, user_id: str, metadata: str | None, now: datetime
    ) -> None:
        """After the modal closed: announce the change in the channel, refresh the Home tab."""
        channel_id = _metadata(metadata).get("channel_id")
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
                extra={"channel": channel_id, "error": type(exc).__name__},
            )
        self.publish_home(team_id, user_id, now)

    # -- new questions --------------------------------------------------------------------------

    def submit_question(
        self,
        team_id: str,
        user_id: str,
        metadata: str | None,
        fields: dict[str, str | None],
        now: datetime,
    ) -> FormErrors | None:
        new = NewQuestion(
            category=fields.get("category") or "",
            question=fields.get("question") or "",
            rationale=fields.get("rationale") or "",
            sample_answer=fields.get("sample_answer") or "",
        )
        try:
            self.library.add(team_id, user_id, new, now)
        except QuestionInputError as exc:
            return {exc.field: str(exc)}
        return None

    def after_question(self, team_id: str, user_id: str, metadata: str | None) -> None:
        """After the modal closed: tell the author (only) the new question's id."""
        mine = self.library.mine(team_id, user_id)
        channel_id = _metadata(metadata).get("channel_id")
        if not mine or not isinstance(channel_id, str):
            return
        question = mine[-1]
        try:
            self.client_for(team_id).chat_postEphemeral(
                channel=channel_id,
                user=user_id,
                text=f"Added `{question.id}` to this workspace's questions "
                f"({question.category}). `/interview ask {question.id}` shows it.",
            )
        except Exception as exc:
            log.info("confirmation failed", extra={"error": type(exc).__name__})
