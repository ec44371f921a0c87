"""What a person can do with questions from Slack: draw one, look one up, browse the bank, add
the team's own, and (its author or an admin) edit or remove it; admins approve team questions
before they are used. Each returns a reply in the product's words."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from bot.questions import render
from bot.questions.library import (
    NewQuestion,
    QuestionInputError,
    QuestionLibrary,
    Refusal,
    Reviewed,
)
from bot.questions.model import Question, TeamQuestion
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
from bot.slack.commands import Access, Handler, SubCommand, first_word
from bot.slack.errors import slack_error
from bot.slack.people import People, ask_one_of
from bot.slack.replies import NO_REPLY, FormErrors, Invocation, Reply
from storage.states import QuestionStatus

log = logging.getLogger(__name__)

SECTION = "Practice"
COMMANDS = (
    SubCommand("random", "[category] [difficulty]", "a question just for you", SECTION, 0, 3),
    SubCommand("ask", "<question-id>", "one question by id", SECTION, 1, 1),
    SubCommand("categories", "", "what the bank holds", SECTION),
    SubCommand(
        "add", "", "add your team's own question (a form); used once an admin approves it", SECTION
    ),
    SubCommand(
        "questions",
        "mine",
        "the questions you added, and whether they are approved",
        SECTION,
        1,
        1,
        check=first_word("mine"),
    ),
    SubCommand(
        "questions pending",
        "",
        "team questions waiting for approval, with Approve and Reject",
        SECTION,
        access=Access.BOT_ADMIN,
    ),
    SubCommand(
        "questions edit",
        "<question-id>",
        "change a team question you added (admins: any); the form",
        SECTION,
        1,
        1,
    ),
    SubCommand(
        "questions remove",
        "<question-id>",
        "stop using a team question you added (admins: any); past rounds keep it",
        SECTION,
        1,
        1,
    ),
)

WAITS = (
    "An admin must approve it before it is used in the daily question or drawn by "
    "`/interview random`; I'll tell you when they have."
)
ADMINS_ONLY = "Only workspace admins and the bot's admins can approve or reject team questions."
OUT_OF_DATE = "That button is out of date; here is the current list."
REFUSED = {
    Refusal.NOT_FOUND: "There's no team question `{id}` waiting for approval here; nothing "
    "changed.",
    Refusal.NOT_PENDING: "`{id}` is no longer waiting for approval: another admin reviewed it.",
    Refusal.CHANGED: "`{id}` was edited after this list was shown; nothing changed. Here is "
    "the current version.",
}


@dataclass
class QuestionsUI:
    library: QuestionLibrary
    client_for: ClientFor
    # who is an admin; without it (older wiring): workspace admins and owners only
    people: People | None = None
    _people: People = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._people = self.people or People(self.client_for, frozenset())

    def handlers(self) -> dict[str, Handler]:
        return {
            "random": self.random,
            "ask": self.ask,
            "categories": self.categories,
            "add": self.add,
            "questions": self.questions,
            "questions pending": self.pending,
            "questions edit": self.edit,
            "questions remove": self.remove,
        }

    def _is_admin(self, team_id: str, user_id: str) -> bool:
        return self._people.is_admin(team_id, user_id)

    def categories(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        bank = self.library.for_team(inv.team_id)
        return Reply(render.categories_message(bank.categories(), difficulties(bank)))

    def random(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        bank = self.library.for_team(inv.team_id)
        try:
            question = random_question(apply_filters(bank, parse_filters(args, bank)))
        except FilterError as exc:
            return Reply(str(exc))
        text, blocks = render.practice_card(question, added_by=self._author(inv.team_id, question))
        return Reply(text, blocks=blocks)

    def ask(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        """A question in use, for anyone; one waiting for approval (or not approved) only for
        its author and admins, in full, with Approve / Reject for admins."""
        waiting = self.library.team_question(inv.team_id, _question_id(args[0]))
        if waiting is not None and waiting.status != QuestionStatus.APPROVED:
            is_admin = self._is_admin(inv.team_id, inv.user_id)
            if is_admin or waiting.added_by == inv.user_id:
                text, blocks = render.review_card(waiting, buttons=is_admin)
                return Reply(text, blocks=blocks)
        return self.show(inv.team_id, args[0], sample=False)

    def show(self, team_id: str, question_id: str, *, sample: bool) -> Reply:
        """A practice card; `sample` adds what the interviewer looks for and the sample answer."""
        try:
            question = find_question(self.library.for_team(team_id), question_id)
        except FilterError as exc:
            return Reply(str(exc))
        added_by = self._author(team_id, question)
        text, blocks = render.practice_card(question, sample=sample, added_by=added_by)
        return Reply(text, blocks=blocks)

    def _author(self, team_id: str, question: Question) -> str | None:
        """Who added a team question (None for the bank's, or once its author was forgotten)."""
        if self.library.base.get(question.id) is not None:
            return None  # the bank's: no need to ask the database
        team_question = self.library.team_question(team_id, question.id)
        return (team_question.added_by or None) if team_question else None

    def questions(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        mine = self.library.mine(inv.team_id, inv.user_id)
        empty = "You haven't added any questions yet. `/interview add` opens the form."
        return Reply(render.questions_list(mine, empty))

    # -- adding and editing -----------------------------------------------------------------

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
        """Save a new question: pending, unless an admin adds it (that is their approval)."""
        try:
            new = _new_question(fields)
            approved = self._is_admin(team_id, user_id)
            self.library.add(team_id, user_id, new, now, approved=approved)
        except QuestionInputError as exc:
            return {exc.field: str(exc)}
        return None

    def after_question(self, team_id: str, user_id: str, private_metadata: str | None) -> None:
        """After the modal closed: tell the author (only) the new question's id, and that an
        admin approves it before it is used."""
        mine = self.library.mine(team_id, user_id)
        channel_id = metadata(private_metadata).get("channel_id")
        if not mine or not isinstance(channel_id, str):
            return
        question = mine[-1]
        if question.status == QuestionStatus.APPROVED:
            status = "You're an admin, so it is approved: it can be the daily question from now on."
        else:
            status = WAITS
        text = (
            f"Added `{question.id}` to this workspace's questions ({question.question.category}). "
            f"{status} `/interview ask {question.id}` shows it."
        )
        self._tell_privately(team_id, channel_id, user_id, text)

    def edit(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        """`/interview questions edit <id>`: the add form, filled in; its author or an admin."""
        question_id = _question_id(args[0])
        if not inv.trigger_id:
            return Reply(f"Open the form again with `/interview questions edit {question_id}`.")
        item = self.library.team_question(inv.team_id, question_id)
        if item is None:
            return Reply(self._not_a_team_question(inv.team_id, question_id))
        is_admin = self._is_admin(inv.team_id, inv.user_id)
        if not (is_admin or item.added_by == inv.user_id):
            return Reply(f"Only the person who added `{question_id}`, or an admin, can edit it.")
        note = ""
        if not is_admin and item.status != QuestionStatus.PENDING:
            note = "Saving sends it back for an admin's approval before it is used again."
        categories = list(self.library.for_team(inv.team_id).categories())
        view = render.edit_question_modal(inv.channel_id, item, categories, note)
        self.client_for(inv.team_id).views_open(trigger_id=inv.trigger_id, view=view)
        return NO_REPLY

    def submit_edit(
        self,
        team_id: str,
        user_id: str,
        private_metadata: str | None,
        fields: dict[str, str | None],
        now: datetime,
    ) -> FormErrors | None:
        """Save an edit, checking the rights again: an edit by its author who is not an admin
        waits for approval again."""
        question_id = metadata(private_metadata).get("question_id")
        if not isinstance(question_id, str):
            return {"question": "This form is out of date; open it again."}
        try:
            new = _new_question(fields)
            is_admin = self._is_admin(team_id, user_id)
            outcome = self.library.edit(team_id, question_id, user_id, new, is_admin=is_admin)
        except QuestionInputError as exc:
            return {exc.field: str(exc)}
        if outcome == Refusal.NOT_ALLOWED:
            return {"question": "Only the person who added it, or an admin, can edit it."}
        if isinstance(outcome, Refusal):
            return {"question": "This question was removed; there is nothing to save."}
        return None

    def after_edit(self, team_id: str, user_id: str, private_metadata: str | None) -> None:
        """After the modal closed: tell the editor (only) what became of the question."""
        data = metadata(private_metadata)
        channel_id, question_id = data.get("channel_id"), data.get("question_id")
        if not isinstance(channel_id, str) or not isinstance(question_id, str):
            return
        item = self.library.team_question(team_id, question_id)
        if item is None:
            return
        text = f"Saved `{item.id}`."
        if item.status == QuestionStatus.PENDING:
            text += f" {WAITS}" if item.added_by == user_id else " It still waits for approval."
        self._tell_privately(team_id, channel_id, user_id, text)

    # -- removing ---------------------------------------------------------------------------

    def remove(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        """`/interview questions remove <id>`: its author or an admin; past rounds keep it."""
        question_id = _question_id(args[0])
        item = self.library.team_question(inv.team_id, question_id)
        if item is None:
            return Reply(self._not_a_team_question(inv.team_id, question_id))
        is_admin = item.added_by != inv.user_id and self._is_admin(inv.team_id, inv.user_id)
        outcome = self.library.remove(inv.team_id, question_id, inv.user_id, now, is_admin=is_admin)
        if outcome == Refusal.NOT_ALLOWED:
            return Reply(f"Only the person who added `{question_id}`, or an admin, can remove it.")
        if isinstance(outcome, Refusal):
            return Reply(self._not_a_team_question(inv.team_id, question_id))
        if outcome.added_by != inv.user_id:
            self._tell_author(
                inv.team_id,
                outcome,
                f"<@{inv.user_id}> removed your question `{outcome.id}`: it won't be asked again.",
            )
        return Reply(
            f"Removed `{outcome.id}`: it won't be the daily question or drawn for practice again. "
            "Rounds that already used it keep it."
        )

    def _not_a_team_question(self, team_id: str, question_id: str) -> str:
        if self.library.base.get(question_id) is not None:
            return (
                f"`{question_id}` is in the question bank file, not one of this workspace's own "
                "questions; only those can be edited or removed here."
            )
        shown = render.question_text(question_id[:60]).replace("`", "'")
        return f"There's no team question `{shown}`. `/interview questions mine` lists yours."

    # -- the review -------------------------------------------------------------------------

    def pending(self, inv: Invocation, args: list[str], now: datetime) -> Reply:
        """`/interview questions pending` (admins; the command table checked)."""
        text, blocks = render.pending_list(self.library.pending(inv.team_id))
        return Reply(text, blocks=blocks)

    def review(
        self, team_id: str, user_id: str, value: str, now: datetime, *, approve: bool
    ) -> Reply:
        """Approve or Reject on the pending list. The rights are checked again on the press, in
        this workspace: a button replayed by someone else, or from another workspace, changes
        nothing. It applies to the version the admin read; the author is told privately."""
        if not self._is_admin(team_id, user_id):
            return Reply(f"{ADMINS_ONLY} {ask_one_of(self._people.bot_admins(team_id))}")
        parsed = render.parse_review_value(value)
        if parsed is None:
            return self._pending_reply(team_id, OUT_OF_DATE)
        question_id, version = parsed
        outcome = self.library.review(team_id, question_id, version, user_id, now, approve=approve)
        if isinstance(outcome, Refusal):
            shown = render.question_text(question_id[:60]).replace("`", "'")
            message = REFUSED.get(outcome, OUT_OF_DATE).format(id=shown)
            return self._pending_reply(team_id, message)
        return self._pending_reply(team_id, self._reviewed(team_id, outcome))

    def _reviewed(self, team_id: str, reviewed: Reviewed) -> str:
        item, by = reviewed.question, reviewed.reviewer
        if item.status == QuestionStatus.APPROVED:
            done = f"Approved `{item.id}`: it can be the daily question from now on."
            told = (
                f"<@{by}> approved your question `{item.id}`: it can be the daily question "
                "from now on, and `/interview random` can draw it."
            )
        else:
            done = f"Rejected `{item.id}`; it won't be used."
            told = (
                f"<@{by}> did not approve your question `{item.id}`. "
                f"`/interview questions edit {item.id}` changes it and asks for approval again; "
                f"`/interview questions remove {item.id}` removes it."
            )
        if item.added_by == by:
            return done
        self._tell_author(team_id, item, told)
        return f"{done} I told <@{item.added_by}>."

    def _pending_reply(self, team_id: str, note: str) -> Reply:
        text, blocks = render.pending_list(self.library.pending(team_id), note)
        return Reply(text, blocks=blocks)

    # -- telling people ---------------------------------------------------------------------

    def _tell_privately(self, team_id: str, channel_id: str, user_id: str, text: str) -> None:
        try:
            self.client_for(team_id).chat_postEphemeral(channel=channel_id, user=user_id, text=text)
        except Exception as exc:
            log.info("confirmation failed", extra={"error": slack_error(exc)})

    def _tell_author(self, team_id: str, item: TeamQuestion, text: str) -> None:
        """A direct message from the bot to the question's author; a courtesy, so a failure is
        logged, not raised."""
        try:
            self.client_for(team_id).chat_postMessage(
                channel=item.added_by, text=text, unfurl_links=False, unfurl_media=False
            )
        except Exception as exc:
            log.info(
                "could not tell the author",
                extra={"question": item.id, "error": slack_error(exc)},
            )


def _question_id(word: str) -> str:
    return word.strip("`").lower()


def _new_question(fields: dict[str, str | None]) -> NewQuestion:
    return NewQuestion(
        category=fields.get("category") or "",
        question=fields.get("question") or "",
        rationale=fields.get("rationale") or "",
        sample_answer=fields.get("sample_answer") or "",
    )
