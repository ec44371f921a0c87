"""Thread replies, edits, deletes and reactions. A middleware stores each event in the durable
inbox and answers Slack itself: one small insert, then the 200. The inbox's writer applies what
is stored afterwards. An event that could not be stored (the database is unreachable or busy) is
answered 503, never 200: Slack delivers it again (after about 1 and 5 minutes), and the inbox's
event_id dedupe applies it once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.rounds.answers import BLIND_THREAD_REPLY
from bot.rounds.inbox import Inbox, NotStored
from bot.rounds.ui import RoundsUI

log = logging.getLogger(__name__)


def register(app: App, inbox: Inbox, rounds: RoundsUI) -> None:
    @app.middleware
    def store_before_ack(body: dict, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        if body.get("type") != "event_callback":
            return next()
        if not _is_event(body.get("event")):
            return BoltResponse(status=400, body="")  # signed, but no event we can read
        if not inbox.keeps(body):
            return next()  # chatter: acknowledged by the listeners below, nothing stored
        try:
            inbox.receive(body)  # new, or a retry of one stored already: the writer applies it
        except Exception as exc:
            log.warning(
                "event not stored; Slack will deliver it again",
                extra={"event_id": body.get("event_id"), "error": _first_line(exc)},
                exc_info=not isinstance(
                    exc, DBAPIError | PoolTimeout | NotStored
                ),  # else a bug: trace it
            )
            return BoltResponse(status=503, body="")
        return BoltResponse(status=200, body="")

    listeners = app.listener_runner.listener_executor

    def explain_blind_round(body: dict[str, Any], outcome: str) -> None:
        """A reply in a blind round's thread: tell its author privately how to answer (on a
        listener thread, so a slow Slack never holds up the writer)."""
        event = body.get("event") or {}
        if outcome == BLIND_THREAD_REPLY and event.get("user") and event.get("thread_ts"):
            listeners.submit(
                rounds.explain_blind_round,
                body.get("team_id") or "",
                event["channel"],
                event["user"],
                event["thread_ts"],
            )

    inbox.after_apply(explain_blind_round)

    def ignore() -> None:
        """Events the inbox does not keep (top-level chatter): Bolt acknowledges them."""

    app.event("message")(ignore)
    app.event("reaction_added")(ignore)
    app.event("reaction_removed")(ignore)


def _is_event(event: object) -> bool:
    """An event object whose nested message and item, when present, are objects too."""
    return isinstance(event, dict) and all(
        isinstance(event.get(key), dict | None) for key in ("message", "previous_message", "item")
    )


def _first_line(exc: Exception) -> str:
    """`OperationalError: connection failed: ...`, without the SQL and the traceback."""
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {lines[0] if lines else ''}"
