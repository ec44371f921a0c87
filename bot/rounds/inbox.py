"""The durable inbox: every answer, edit, delete and vote event is stored before Slack gets its
200, applied afterwards by one writer thread in batches (one transaction per batch), and drained
again on start-up and by the clock.

On Slack's request path there is one small INSERT and nothing else, so acknowledging never waits
for the work; the single writer means applying never contends with itself for SQLite's lock."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.rounds.answers import ANSWER_STORED, apply_event
from storage import inbox as inbox_store
from storage.db import REQUEST_DEADLINE_MS, request_deadline, write_lock
from storage.inbox import InboxEvent

log = logging.getLogger(__name__)

# Applied events are kept this long for the event_id dedupe (Slack retries within minutes).
KEEP_APPLIED = timedelta(days=7)
MAX_ATTEMPTS = inbox_store.GIVE_UP_AFTER  # then the payload is trimmed (storage.inbox)
# Events the writer applies in one transaction, and for how long at most; once deliveries wait
# to be stored (Slack waits for their answer), it commits after YIELD_AFTER_SECONDS of work and
# stores them: long enough to amortise the batch's own queries and commit.
BATCH = 50
BATCH_SECONDS = 0.05
YIELD_AFTER_SECONDS = 0.005
# A writer that has made no progress for this long is stuck on the database (a silent outage):
# deliveries are refused at once instead of each holding a server thread until its deadline.
STUCK_AFTER_SECONDS = 0.75
# A reaction to a message the bot does not know yet (its event is late, or a retry) waits this
# many clock drains (one a minute) for it; a reaction to any other message is then forgotten.
WAITING_FOR_MESSAGE = "waiting for the message it reacts to"
NOT_A_ROUND_MESSAGE = "ignored: not a round message"

# Outcomes the writer only counts in its batch's log line; others are logged one by one.
ROUTINE = frozenset({ANSWER_STORED, "answer deleted", "vote stored", "vote removed"})

# Called after an event was applied and committed, with its body and what applying it did.
Applied = Callable[[dict[str, Any], str], None]


class Inbox:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        *,
        writer: bool = False,
    ) -> None:
        """With `writer`, a thread (started by the first stored event) applies what is stored;
        without, the caller applies with `process`, `apply_fresh` or `drain`."""
        self.sessions = sessions
        self.now = now
        self._use_writer = writer
        self._after_apply: list[Applied] = []
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._queue: list[_Delivery] = []
        self._queue_lock = threading.Lock()
        # Per applying thread (the writer, the clock's drain): the messages reactions wait for
        # ("<channel> <ts>"), read at the start of each batch.
        self._batch = threading.local()
        self._idle = True  # the writer waits for work
        # Stored events the writer has not applied: an earlier process's, or after a failure.
        self._leftovers = True
        self._progress_at = time.monotonic()  # when the writer last woke or got something done

    def after_apply(self, callback: Applied) -> None:
        """Run `callback(body, outcome)` after each event is applied (on the applying thread)."""
        self._after_apply.append(callback)

    # -- Slack's request path --------------------------------------------------------------

    def keeps(self, body: dict[str, Any]) -> bool:
        """Whether this delivery is one the inbox stores (and so acknowledges itself)."""
        event = body.get("event")
        return bool(body.get("event_id")) and isinstance(event, dict) and could_matter(event)

    def receive(self, body: dict[str, Any]) -> bool:
        """Store an event_callback; False if it was already processed (a retry to drop).

        Runs before Slack gets its answer, so a lock it waits for is given up on well within
        Slack's 3 s; then (or when the database is unreachable) it raises and the event is not
        acknowledged: Slack delivers it again. With the writer, the writer stores it, together
        with the others that arrived meanwhile, in one insert and one commit."""
        if not self.keeps(body):
            return True
        if not self._use_writer:
            return self._store([_Delivery(body)])[0]
        if not self._idle and time.monotonic() - self._progress_at > STUCK_AFTER_SECONDS:
            raise NotStored("the inbox's writer has been waiting for the database")
        delivery = _Delivery(body)
        with self._queue_lock:
            self._queue.append(delivery)
        self._notify()
        if not delivery.done.wait(REQUEST_DEADLINE_MS / 1000):
            with self._queue_lock:  # Slack gets 503 and delivers it again: don't store it late
                if delivery in self._queue:
                    self._queue.remove(delivery)
            raise NotStored("the inbox's writer did not store the event in time")
        if delivery.error is not None:
            raise delivery.error
        return delivery.to_apply

    def _store(self, deliveries: list[_Delivery]) -> list[bool]:
        """Insert deliveries in one transaction; for each, whether it is still to be applied."""
        now = self.now()
        rows: dict[str, dict[str, object]] = {}
        for d in deliveries:
            rows.setdefault(
                d.event_id,
                {
                    "event_id": d.event_id,
                    "team_id": d.team_id,
                    "event_type": d.body["event"]["type"],
                    "payload": json.dumps(d.body),
                    "received_at": now,
                },
            )
        with self.sessions.begin() as session, request_deadline(session):
            new = inbox_store.store_events(session, list(rows.values()))
            again = set(rows) - new
            done = inbox_store.processed_ids(session, again) if again else set()
        return [d.event_id not in done for d in deliveries]

    def _store_queued(self) -> list[_Delivery]:
        """Store what waits to be stored and let Slack have its answers; what was stored."""
        with self._queue_lock:
            batch, self._queue = self._queue, []
        if not batch:
            return []
        try:
            for delivery, to_apply in zip(batch, self._store(batch), strict=True):
                delivery.to_apply = to_apply
            self._progress_at = time.monotonic()
        except Exception as exc:  # each waiting request answers Slack 503
            for delivery in batch:
                delivery.error = exc
            return []
        finally:
            for delivery in batch:
                delivery.done.set()
        return batch

    # -- applying ------------------------------------------------------------------------

    def apply_fresh(self, limit: int = BATCH) -> int:
        """Apply up to `limit` stored events that were never tried, oldest first, in one
        transaction; how many were taken. If the batch fails, each event is tried on its own,
        so one bad event never holds up the others."""
        done: list[tuple[dict[str, Any], str]] = []
        try:
            with self.sessions.begin() as session:
                write_lock(session)
                began = time.monotonic()
                self._batch.awaited = inbox_store.awaited_messages(session)
                event_ids = []
                # The events' own changes (applied, trimmed) go out in one UPDATE at commit,
                # not one before each query of the next event.
                with session.no_autoflush:
                    for stored in inbox_store.fresh_events(session, limit):
                        body, outcome = self._apply(session, stored)
                        event_ids.append(stored.event_id)
                        if outcome is not None:
                            done.append((body, outcome))
                        took = time.monotonic() - began
                        if took > BATCH_SECONDS or (self._queue and took > YIELD_AFTER_SECONDS):
                            break  # Slack waits for what is queued: store that first
        except Exception:
            log.warning("inbox batch failed; applying its events one by one", exc_info=True)
            with self.sessions.begin() as session:
                event_ids = [e.event_id for e in inbox_store.fresh_events(session, limit)]
            for event_id in event_ids:
                self.process(event_id)
            return len(event_ids)
        self._progress_at = time.monotonic()
        self._report(len(event_ids), done)
        return len(event_ids)

    def _apply_delivered(self, deliveries: list[_Delivery]) -> None:
        """Apply deliveries the writer has just stored, in one transaction, from the bodies in
        hand: nothing to read back and parse again. Any of them applied meanwhile (a retry the
        clock's drain got to) or tried before is left alone; if the transaction fails, they all
        stay stored for `apply_fresh`."""
        fresh = [d for d in deliveries if d.to_apply]
        if not fresh:
            return
        done: list[tuple[dict[str, Any], str]] = []
        with self.sessions.begin() as session:
            write_lock(session)
            self._batch.awaited = inbox_store.awaited_messages(session)
            untried = inbox_store.untried_ids(session, {d.event_id for d in fresh})
            applied: list[str] = []
            with session.no_autoflush:  # see apply_fresh
                for d in fresh:
                    if d.event_id not in untried:
                        continue
                    untried.discard(d.event_id)  # a retry that came with its original
                    outcome, waits_for = self._apply_body(session, d.team_id, d.body, attempts=0)
                    if outcome is None:
                        inbox_store.mark_waiting(
                            session, d.event_id, waits_for, WAITING_FOR_MESSAGE
                        )
                        continue
                    applied.append(d.event_id)
                    done.append((d.body, outcome))
            inbox_store.mark_applied_ids(session, applied, self.now())
        self._progress_at = time.monotonic()
        self._report(len(fresh), done)

    def _report(self, taken: int, done: list[tuple[dict[str, Any], str]]) -> None:
        if taken:
            log.info("inbox applied", extra={"events": taken})
        for body, outcome in done:
            if outcome not in ROUTINE:  # why an event changed nothing, one line each
                log.info(
                    "event processed",
                    extra={
                        "event_id": body.get("event_id"),
                        "channel": _channel(body),
                        "outcome": outcome,
                    },
                )
            self._announce(body, outcome)

    def process(self, event_id: str) -> str | None:
        """Apply a stored event once; returns what it did, None if already done (or waiting)."""
        try:
            with self.sessions.begin() as session:
                write_lock(session)  # reads, then writes: never fails half-way for the lock
                stored = inbox_store.get_event(session, event_id)
                if stored is None or stored.processed_at is not None:
                    return None
                self._batch.awaited = inbox_store.awaited_messages(session)
                body, outcome = self._apply(session, stored)
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
        if outcome is not None:
            log.info(
                "event processed",
                extra={"event_id": event_id, "channel": _channel(body), "outcome": outcome},
            )
            self._announce(body, outcome)
        return outcome

    def _apply(self, session: Session, stored: InboxEvent) -> tuple[dict[str, Any], str | None]:
        """Apply one stored event within the caller's transaction; None: it waits (a reaction
        to a message not known yet, applied when that message is)."""
        body = json.loads(stored.payload)
        outcome, waits_for = self._apply_body(session, stored.team_id, body, stored.attempts)
        if outcome is None:
            stored.attempts += 1
            stored.error = WAITING_FOR_MESSAGE
            stored.waits_for = waits_for
            session.flush()  # its message may come later in this very batch
            return body, None
        inbox_store.mark_applied(stored, self.now())
        return body, outcome

    def _apply_body(
        self, session: Session, team_id: str, body: dict[str, Any], attempts: int
    ) -> tuple[str | None, str | None]:
        """(what applying the event did, None) or, for a reaction to a message not known yet
        that may still wait, (None, the message it waits for). A reply stored here also
        applies the reactions that waited for it."""
        event = body["event"]
        target = _reaction_target(event)
        if target is not None and not inbox_store.is_round_message(session, team_id, *target):
            if attempts + 1 < MAX_ATTEMPTS:
                key = inbox_store.message_key(*target)
                self._awaited().add(key)
                return None, key
            return NOT_A_ROUND_MESSAGE, None  # none of ours: forget what it said
        outcome = apply_event(session, team_id, event, self.now())
        awaited = self._awaited()
        answer = _answer_message(event) if outcome == ANSWER_STORED and awaited else None
        if answer is not None and inbox_store.message_key(*answer) in awaited:
            key = inbox_store.message_key(*answer)
            for waiting in inbox_store.waiting_for(session, team_id, key):
                self._apply(session, waiting)
        return outcome, None

    def _awaited(self) -> set[str]:
        """This thread's awaited messages (none before its first batch)."""
        if not hasattr(self._batch, "awaited"):
            self._batch.awaited = set()
        awaited: set[str] = self._batch.awaited
        return awaited

    def _announce(self, body: dict[str, Any], outcome: str) -> None:
        for callback in self._after_apply:
            try:
                callback(body, outcome)
            except Exception:
                log.exception("after applying an event", extra={"event_id": body.get("event_id")})

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

    # -- the writer thread ---------------------------------------------------------------

    def _notify(self) -> None:
        if not self._use_writer:
            return
        if self._thread is None:
            with self._start_lock:
                if self._thread is None and not self._stopping:
                    self._thread = threading.Thread(
                        target=self._write, name="inbox-writer", daemon=True
                    )
                    self._thread.start()
        self._wake.set()

    def _write(self) -> None:
        """Store what waits to be stored (Slack is waiting for those), then apply it; events
        stored but not applied (by an earlier process, or when applying failed) are applied a
        short batch a pass, storing and applying new deliveries in between. After a failure,
        wait before the next try, but go on storing."""
        backoff, apply_after = 0.5, 0.0
        pending: list[_Delivery] = []  # stored, to apply
        pending_since = 0.0
        while True:
            self._idle = not pending
            if not pending:
                self._wake.wait()
            self._progress_at, self._idle = time.monotonic(), False
            self._wake.clear()
            stopping = self._stopping
            if not pending:
                pending_since = time.monotonic()
            pending += self._store_queued()
            if time.monotonic() < apply_after and not stopping:
                self._leftovers = self._leftovers or bool(pending)
                pending = []
                self._wake.wait(apply_after - time.monotonic())
                self._wake.set()
                continue
            more_waiting = bool(self._queue) and not stopping
            if (
                more_waiting
                and len(pending) < BATCH
                and time.monotonic() - pending_since < BATCH_SECONDS
            ):
                continue  # store those first; apply a bigger batch afterwards
            try:
                batch, pending = pending, []
                self._apply_delivered(batch)
                if self._leftovers:  # one short batch a pass, so storing goes on in between
                    self._leftovers = self.apply_fresh() > 0
                    if self._leftovers:
                        self._wake.set()
                backoff = 0.5
            except Exception as exc:  # the database is unreachable: try again, then the clock
                log.warning("inbox writer failed; retrying", extra={"error": _first_line(exc)})
                self._leftovers = True
                apply_after = time.monotonic() + backoff
                backoff = min(backoff * 2, 30.0)
                if not stopping:
                    self._wake.set()
            if stopping:
                self._store_queued()
                return

    def stop_writer(self, timeout: float) -> bool:
        """Apply what is stored, then stop the writer; False if it was still busy at `timeout`
        (what it did not apply is applied at the next start)."""
        with self._start_lock:
            self._stopping = True
            thread = self._thread
        if thread is None:
            return True
        self._wake.set()
        thread.join(timeout)
        return not thread.is_alive()


class NotStored(Exception):
    """The event could not be stored within Slack's patience; it is not acknowledged."""


class _Delivery:
    """An event waiting on Slack's request path for the writer to store it."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body
        self.event_id: str = body["event_id"]
        self.team_id: str = body.get("team_id") or ""
        self.done = threading.Event()
        self.to_apply = True
        self.error: Exception | None = None


def _reaction_target(event: dict[str, Any]) -> tuple[str, str] | None:
    """(channel, ts) of the message a reaction is on; None for anything else. Votes are about a
    round's question and answers; reactions to other messages are none of our business."""
    if event.get("type") not in ("reaction_added", "reaction_removed"):
        return None
    item = event.get("item")
    if not isinstance(item, dict) or item.get("type") != "message":
        return None  # apply_event ignores it, and the payload is emptied
    channel, ts = item.get("channel"), item.get("ts")
    if not isinstance(channel, str) or not isinstance(ts, str):
        return None
    return channel, ts


def _answer_message(event: dict[str, Any]) -> tuple[str, str] | None:
    """(channel, ts) of the answer a message event (a reply or its edit) stored."""
    message = event.get("message") if event.get("subtype") == "message_changed" else event
    channel = event.get("channel")
    ts = message.get("ts") if isinstance(message, dict) else None
    if isinstance(channel, str) and isinstance(ts, str):
        return channel, ts
    return None


def could_matter(event: dict[str, Any]) -> bool:
    """Only people's thread messages (and their edits and deletions) and reactions can change
    answers or votes; top-level chatter and apps' messages (the bot's own reveals) are not
    stored at all."""
    kind = event.get("type")
    if kind in ("reaction_added", "reaction_removed"):
        return True
    if kind != "message":
        return False
    message = event.get("message") or event.get("previous_message") or event
    if not isinstance(message, dict):
        return False
    by_an_app = event.get("subtype") != "message_deleted" and bool(
        message.get("bot_id") or message.get("bot_profile") or event.get("subtype") == "bot_message"
    )
    return not by_an_app and bool(message.get("thread_ts") or event.get("thread_ts"))


def _channel(body: dict[str, Any]) -> str | None:
    event = body.get("event") or {}
    return event.get("channel") or (event.get("item") or {}).get("channel")


def _first_line(exc: Exception) -> str:
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {lines[0] if lines else ''}"
