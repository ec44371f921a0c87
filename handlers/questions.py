"""Question buttons and forms: show a practice card's sample answer, add a team question."""

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
