"""The durable inbox: every answer, edit, delete and vote event is stored before Slack gets its
200, applied in the same transaction that marks it processed, and drained again on start-up."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.rounds.answers import apply_event
from storage import inbox as inbox_store
from storage.db import request_deadline

log = logging.getLogger(__name__)

# Applied events are kept this long for the event_id dedupe (Slack retries within minutes).
KEEP_APPLIED = timedelta(days=7)
MAX_ATTEMPTS = 5


class Inbox:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.sessions = sessions
        self.now = now

    def receive(self, body: dict[str, Any]) -> bool:
        """Store an event_callback; False if it was already processed (a retry to drop).

        Runs before Slack gets its answer, so a lock it waits for is given up on well within
        Slack's 3 s; then (or when the database is unreachable) it raises and the event is not
        acknowledged: Slack delivers it again."""
        event = body.get("event") or {}
        event_id = body.get("event_id")
        if not event_id or not could_matter(event):
            return True
        with self.sessions.begin() as session, request_deadline(session):
            new = inbox_store.store_event(
                session,
                event_id=event_id,
                team_id=body.get("team_id") or "",
                event_type=event["type"],
                payload=json.dumps(body),
                now=self.now(),
            )
            if new:
                return True
            stored = inbox_store.get_event(session, event_id)
            return stored is None or stored.processed_at is None

    def process(self, event_id: str) -> str | None:
        """Apply a stored event once; returns what it did, None if already done."""
        try:
            with self.sessions.begin() as session:
                stored = inbox_store.get_event(session, event_id)
                if stored is None or stored.processed_at is not None:
                    return None
                body = json.loads(stored.payload)
                outcome = apply_event(session, stored.team_id, body["event"], self.now())
                stored.processed_at = self.now()
                stored.attempts += 1
            log.info(
                "event processed",
                extra={"event_id": event_id, "channel": _channel(body), "outcome": outcome},
            )
            return outcome
        except Exception as exc:
            log.exception("event processing failed", extra={"event_id": event_id})
            try:
                with self.sessions.begin() as session:
                    stored = inbox_store.get_event(session, event_id)
                    if stored is not None:
                        stored.attempts += 1
                        stored.error = f"{type(exc).__name__}: {exc}"[:500]
            except Exception:  # the database is gone: the event stays pending, attempts unspent
                log.warning("event left pending for the next drain", extra={"event_id": event_id})
            return None

    def prune(self, now: datetime) -> int:
        """Forget applied events older than KEEP_APPLIED."""
        with self.sessions.begin() as session:
            return inbox_store.prune_events(session, now - KEEP_APPLIED)

    def drain(self, received_before: datetime | None = None) -> int:
        """Apply every stored event that was not processed (after a crash or a failure)."""
        with self.sessions.begin() as session:
            pending = [
                e.event_id
                for e in inbox_store.pending_events(
                    session, received_before, max_attempts=MAX_ATTEMPTS
                )
            ]
        done = sum(1 for event_id in pending if self.process(event_id) is not None)
        if pending:
            log.info("inbox drained", extra={"pending": len(pending), "applied": done})
        return done


def could_matter(event: dict[str, Any]) -> bool:
    """Only thread messages (and their edits and deletions) and reactions can change answers or
    votes; top-level chatter is not stored at all."""
    kind = event.get("type")
    if kind in ("reaction_added", "reaction_removed"):
        return True
    if kind != "message":
        return False
    message = event.get("message") or event.get("previous_message") or event
    return bool(message.get("thread_ts") or event.get("thread_ts"))


def _channel(body: dict[str, Any]) -> str | None:
    event = body.get("event") or {}
    return event.get("channel") or (event.get("item") or {}).get("channel")
