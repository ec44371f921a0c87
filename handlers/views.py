"""Modal submissions: validated before the modal closes, with errors shown under the field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from slack_bolt import Ack, App, BoltContext

from bot import render
from bot.interactions import InteractionService


def field_values(view: dict) -> dict[str, str | None]:
    """{block_id: typed text or selected option} from a submitted view's state."""
    values: dict[str, str | None] = {}
    for block_id, actions in (view.get("state") or {}).get("values", {}).items():
        for element in actions.values():
            if element.get("type") == "static_select":
                option = element.get("selected_option") or {}
                values[block_id] = option.get("value")
            else:
                values[block_id] = element.get("value")
    return values


def _answer(ack: Ack, errors: dict[str, str] | None) -> None:
    if errors:
        ack(response_action="errors", errors=errors)
    else:
        ack()


def register(app: App, interactions: InteractionService, now: Callable[[], datetime]) -> None:
    # Errors go back in the ack (they keep the modal open), so only the quick database write
    # happens before it; Slack calls follow after.
    @app.view(render.ANSWER_VIEW)
    def answer(ack: Ack, body: dict, view: dict, context: BoltContext) -> None:
        text = field_values(view).get(render.ANSWER_INPUT[0])
        errors = interactions.submit_answer(
            context.team_id or "", body["user"]["id"], view.get("private_metadata"), text, now()
        )
        _answer(ack, errors)
        if not errors:
            interactions.after_answer(context.team_id or "", view.get("private_metadata"))

    @app.view(render.SCHEDULE_VIEW)
    def schedule(ack: Ack, body: dict, view: dict, context: BoltContext) -> None:
        errors = interactions.submit_schedule(
            context.team_id or "",
            body["user"]["id"],
            view.get("private_metadata"),
            field_values(view),
            now(),
        )
        _answer(ack, errors)
        if not errors:
            interactions.after_schedule(
                context.team_id or "", body["user"]["id"], view.get("private_metadata"), now()
            )

    @app.view(render.ADD_QUESTION_VIEW)
    def add_question(ack: Ack, body: dict, view: dict, context: BoltContext) -> None:
        errors = interactions.submit_question(
            context.team_id or "",
            body["user"]["id"],
            view.get("private_metadata"),
            field_values(view),
            now(),
        )
        _answer(ack, errors)
        if not errors:
            interactions.after_question(
                context.team_id or "", body["user"]["id"], view.get("private_metadata")
            )
