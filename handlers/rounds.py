"""Round buttons and forms: answer a blind round, reveal a practice question, post one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from slack_bolt import Ack, App, BoltContext, Respond

from bot.questions.render import POST_PRACTICE_BUTTON
from bot.rounds import render
from bot.rounds.ui import RoundsUI
from handlers.respond import close_or_show_errors, field_values, number_value, say, user_of


def register(app: App, rounds: RoundsUI, now: Callable[[], datetime]) -> None:
    @app.action(render.ANSWER_BUTTON)
    def answer(ack: Ack, body: dict, action: dict, respond: Respond, context: BoltContext) -> None:
        ack()
        round_id = number_value(action)
        if round_id is not None:
            reply = rounds.open_answer_form(
                context.team_id or "", round_id, user_of(body), body["trigger_id"]
            )
            say(respond, reply)

    @app.view(render.ANSWER_VIEW)
    def answer_saved(ack: Ack, body: dict, view: dict, context: BoltContext) -> None:
        text = field_values(view).get(render.ANSWER_INPUT[0])
        metadata = view.get("private_metadata")
        errors = rounds.submit_answer(context.team_id or "", user_of(body), metadata, text, now())
        close_or_show_errors(ack, errors)
        if not errors:
            rounds.after_answer(context.team_id or "", metadata)

    @app.action(render.REVEAL_BUTTON)
    def reveal(ack: Ack, body: dict, action: dict, respond: Respond, context: BoltContext) -> None:
        ack()
        round_id = number_value(action)
        if round_id is not None:
            say(
                respond, rounds.reveal_button(context.team_id or "", user_of(body), round_id, now())
            )

    @app.action(POST_PRACTICE_BUTTON)
    def post_practice(
        ack: Ack, body: dict, action: dict, respond: Respond, context: BoltContext
    ) -> None:
        ack()
        channel_id = (body.get("channel") or {}).get("id") or context.channel_id or ""
        reply = rounds.post_practice(
            context.team_id or "", channel_id, user_of(body), str(action["value"]), now()
        )
        say(respond, reply, replace=True)
