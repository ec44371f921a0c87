"""Thread replies, edits, deletes and reactions. Each event is stored in the durable inbox and
answered without the rest of Bolt's dispatch: one small insert, then the 200. Over HTTP the
server calls `store_delivery` once the signature is checked; in Socket Mode a middleware does.
The inbox's writer applies what is stored afterwards. An event that could not be stored (the
database is unreachable or busy) is answered 503, never 200: Slack delivers it again (after
about 1 and 5 minutes), and the inbox's event_id dedupe applies it once."""

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


def store_delivery(inbox: Inbox, body: dict[str, Any]) -> int | None:
    """The HTTP status for an Events API delivery the inbox keeps: 200 once stored (or a retry
    of one stored already: the writer applies it), 503 when it could not be stored, 400 for a
    signed delivery without an event we can read. None for anything else: Bolt handles it."""
    if body.get("type") != "event_callback":
        return None
    if not _is_event(body.get("event")):
        return 400
    if not inbox.keeps(body):
        return None  # chatter: acknowledged by the listeners below, nothing stored
    try:
        inbox.receive(body)
    except Exception as exc:
        log.warning(
            "event not stored; Slack will deliver it again",
            extra={"event_id": body.get("event_id"), "error": _first_line(exc)},
            exc_info=not isinstance(exc, DBAPIError | PoolTimeout | NotStored),  # else a bug
        )
        return 503
    return 200


def register(app: App, inbox: Inbox, rounds: RoundsUI) -> None:
    @app.middleware
    def store_before_ack(body: dict, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        """For Socket Mode (over HTTP the server calls `store_delivery` before Bolt)."""
        status = store_delivery(inbox, body)
        return next() if status is None else BoltResponse(status=status, body="")

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
