"""Thread replies, edits, deletes and reactions. A middleware stores each event in the durable
inbox before Bolt acknowledges it; the listeners then apply it from there."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App, BoltResponse

from bot.rounds.inbox import Inbox


def register(app: App, inbox: Inbox) -> None:
    @app.middleware
    def store_before_ack(body: dict, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        if body.get("type") == "event_callback" and not inbox.receive(body):
            return BoltResponse(status=200, body="")  # a retry of an event already applied
        return next()

    def apply(body: dict) -> None:
        inbox.process(body["event_id"])

    app.event("message")(apply)
    app.event("reaction_added")(apply)
    app.event("reaction_removed")(apply)
