"""What a person can do with questions from Slack: draw one, look one up, browse the bank, add
the team's own; each returns a reply in the product's words."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.questions import render
from bot.questions.library import NewQuestion, QuestionInputError, QuestionLibrary
from bot.questions.practice import (
    FilterError,
    apply_filters,
    difficulties,
    find_question,
    parse_filters,
    random_question,
)
from bot.slack.blocks import metadata
from bot.slack.clients import ClientFor
from bot.slack.commands import Handler, SubCommand
from bot.slack.errors import slack_error
from bot.slack.replies import NO_REPLY, FormErrors, Invocation, Reply

log = logging.getLogger(__name__)

SECTION = "Practice"
COMMANDS = (
    SubCommand("random", "[category] [difficulty]", "a question just for you", SECTION, 0, 3),
    SubCommand("ask", "<question-id>", "one question by id", SECTION, 1, 1),
    SubCommand("categories", "", "what the bank holds", SECTION),
    SubCommand("add", "", "add your team's own question (a form)", SECTION),
    SubCommand(
        "questions",
        "mine",
        "the questions you added",
        SECTION,
        1,
        1,
        check=lambda args: (
            None if args[0].lower() == "mine" else "Usage: `/interview questions mine`"
        ),
    ),
)


@dataclass
class QuestionsUI:
    library: QuestionLibrary
    client_for: ClientFor

    def handlers(self) -> dict[str, Handler]:
        return {
            "random": self.random,
            "ask": self.ask,
            "categories": self.categories,
            "add": self.add,
            "questions": self.questions,
        }

    def categories(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        bank = self.library.for_team(inv.team_id)
        return Reply(render.categories_message(bank.categories(), difficulties(bank)))

    def random(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        bank = self.library.for_team(inv.team_id)
        try:
            question = random_question(apply_filters(bank, parse_filters(args, bank)))
        except FilterError as exc:
            return Reply(str(exc))
        text, blocks = render.practice_card(question)
        return Reply(text, blocks=blocks)

    def ask(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        return self.show(inv.team_id, args[0], sample=False)

    def show(self, team_id: str, question_id: str, *, sample: bool) -> Reply:
        """A practice card; `sample` adds what the interviewer looks for and the sample answer."""
        try:
            question = find_question(self.library.for_team(team_id), question_id)
        except FilterError as exc:
            return Reply(str(exc))
        text, blocks = render.practice_card(question, sample=sample)
        return Reply(text, blocks=blocks)

    def questions(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        mine = self.library.mine(inv.team_id, inv.user_id)
        empty = "You haven't added any questions yet. `/interview add` opens the form."
        return Reply(render.questions_list(mine, empty))

    def add(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        if not inv.trigger_id:
            return Reply("Open the form again with `/interview add`.")
        categories = list(self.library.for_team(inv.team_id).categories())
        view = render.add_question_modal(inv.channel_id, categories)
        self.client_for(inv.team_id).views_open(trigger_id=inv.trigger_id, view=view)
        return NO_REPLY

    def submit_question(
        self, team_id: str, user_id: str, fields: dict[str, str | None], now: datetime
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

    def after_question(self, team_id: str, user_id: str, private_metadata: str | None) -> None:
        """After the modal closed: tell the author (only) the new question's id."""
        mine = self.library.mine(team_id, user_id)
        channel_id = metadata(private_metadata).get("channel_id")
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
            log.info("confirmation failed", extra={"error": slack_error(exc)})
