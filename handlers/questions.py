"""Question buttons and forms: show a practice card's sample answer, add or edit a team
question, approve or reject one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from slack_bolt import Ack, App, BoltContext, Respond

from bot.questions import render
from bot.questions.ui import QuestionsUI
from handlers.respond import close_or_show_errors, field_values, say, user_of


def register(app: App, questions: QuestionsUI, now: Callable[[], datetime]) -> None:
    @app.action(render.SHOW_SAMPLE_BUTTON)
    def show_sample(ack: Ack, action: dict, respond: Respond, context: BoltContext) -> None:
        ack()
        reply = questions.show(context.team_id or "", str(action["value"]), sample=True)
        say(respond, reply, replace=True)

    @app.view(render.ADD_QUESTION_VIEW)
    def add_question(ack: Ack, body: dict, view: dict, context: BoltContext) -> None:
        team_id, user_id = context.team_id or "", user_of(body)
        errors = questions.submit_question(team_id, user_id, field_values(view), now())
        close_or_show_errors(ack, errors)
        if not errors:
            questions.after_question(team_id, user_id, view.get("private_metadata"))

    @app.view(render.EDIT_QUESTION_VIEW)
    def edit_question(ack: Ack, body: dict, view: dict, context: BoltContext) -> None:
        team_id, user_id, metadata = (
            context.team_id or "",
            user_of(body),
            view.get("private_metadata"),
        )
        errors = questions.submit_edit(team_id, user_id, metadata, field_values(view), now())
        close_or_show_errors(ack, errors)
        if not errors:
            questions.after_edit(team_id, user_id, metadata)

    @app.action(render.APPROVE_BUTTON)
    def approve(ack: Ack, body: dict, action: dict, respond: Respond, context: BoltContext) -> None:
        ack()  # first: the rights check may wait on a rate-limited users.info
        value = str(action.get("value", ""))
        reply = questions.review(context.team_id or "", user_of(body), value, now(), approve=True)
        say(respond, reply, replace=True)

    @app.action(render.REJECT_BUTTON)
    def reject(ack: Ack, body: dict, action: dict, respond: Respond, context: BoltContext) -> None:
        ack()
        value = str(action.get("value", ""))
        reply = questions.review(context.team_id or "", user_of(body), value, now(), approve=False)
        say(respond, reply, replace=True)
