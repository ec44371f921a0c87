"""Buttons: answer privately, reveal a practice question, practice cards, the Home schedule."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from slack_bolt import Ack, App, BoltContext, Respond

from bot import render
from bot.commands import Reply
from bot.interactions import InteractionService


def _say(respond: Respond, reply: Reply | None, *, replace: bool = False) -> None:
    if reply is not None and reply.text:
        respond(
            text=reply.text,
            blocks=reply.blocks,
            response_type="ephemeral",
            replace_original=replace,
        )


def _round_id(action: dict) -> int | None:
    value = str(action.get("value", ""))
    return int(value) if value.isdigit() else None


def register(app: App, interactions: InteractionService, now: Callable[[], datetime]) -> None:
    @app.action(render.ANSWER_BUTTON)
    def answer(ack: Ack, body: dict, action: dict, respond: Respond, context: BoltContext) -> None:
        ack()
        round_id = _round_id(action)
        if round_id is not None:
            reply = interactions.open_answer_form(
                context.team_id or "", round_id, body["user"]["id"], body["trigger_id"]
            )
            _say(respond, reply)

    @app.action(render.REVEAL_BUTTON)
    def reveal(ack: Ack, body: dict, action: dict, respond: Respond, context: BoltContext) -> None:
        ack()
        round_id = _round_id(action)
        if round_id is not None:
            reply = interactions.reveal_button(
                context.team_id or "", body["user"]["id"], round_id, now()
            )
            _say(respond, reply)

    @app.action(render.SHOW_SAMPLE_BUTTON)
    def show_sample(ack: Ack, action: dict, respond: Respond, context: BoltContext) -> None:
        ack()
        _say(
            respond, interactions.show_sample(context.team_id or "", action["value"]), replace=True
        )

    @app.action(render.POST_PRACTICE_BUTTON)
    def post_practice(
        ack: Ack, body: dict, action: dict, respond: Respond, context: BoltContext
    ) -> None:
        ack()
        channel_id = (body.get("channel") or {}).get("id") or context.channel_id
        reply = interactions.post_practice(
            context.team_id or "", channel_id, body["user"]["id"], action["value"], now()
        )
        _say(respond, reply, replace=True)

    @app.action(render.EDIT_SCHEDULE_BUTTON)
    def edit_schedule(ack: Ack, body: dict, action: dict, context: BoltContext) -> None:
        ack()
        interactions.open_schedule_form(
            context.team_id or "", body["user"]["id"], action["value"], body["trigger_id"]
        )
