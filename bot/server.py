"""The production HTTP server (waitress) around Bolt's WSGI adapter, plus /healthz."""

from __future__ import annotations

import io
import json
import logging
import math
import sys
import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import Engine, text
from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server

log = logging.getLogger("bot.http")

# What the Bolt middleware learned about the request being served (kind, team, channel, ids),
# so the server writes one log line per request with it.
REQUEST_FIELDS: ContextVar[dict[str, str] | None] = ContextVar("request_fields", default=None)

Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


# Slack's largest payloads (a modal's state, a 40,000-character message event) are far below
# this; anything bigger is refused before a byte of it is read.
MAX_BODY = 1024 * 1024
# Slack refuses requests older than this itself; Bolt checks the signature again afterwards.
MAX_CLOCK_SKEW = 5 * 60
SLACK_PATHS = ("/slack/events",)
# Where a signed JSON body (an Events API delivery), once verified and parsed, waits in the
# environ for the app.
SIGNED_JSON = "interview_bot.signed_json"


def refuse_early(environ: dict[str, Any], now: float | None = None) -> tuple[str, bytes] | None:
    """(status, body) for a request to turn away without reading or parsing its body: too big,
    or not signed by Slack recently. None lets it through to Bolt, which verifies the signature."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return "400 Bad Request", b"bad Content-Length\n"
    if length > MAX_BODY:
        return "413 Payload Too Large", b"request body too large\n"
    if environ.get("PATH_INFO") not in SLACK_PATHS or environ.get("REQUEST_METHOD") != "POST":
        return None
    signature = environ.get("HTTP_X_SLACK_SIGNATURE", "")
    stamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
    if not signature.startswith("v0=") or not stamp.isdigit():
        return "401 Unauthorized", b"not signed by Slack\n"
    if abs((now if now is not None else time.time()) - int(stamp)) > MAX_CLOCK_SKEW:
        return "401 Unauthorized", b"stale request\n"
    return None


def verify_and_check(environ: dict[str, Any], signing_secret: str) -> tuple[str, bytes] | None:
    """Read the (capped) body once, check Slack's signature on it before anything parses it, and
    turn away a signed body whose `event` is not an object (Bolt would fail on it with a 500).
    The body is put back for Bolt, which checks the signature again."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else environ["wsgi.input"].read()
    environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "400 Bad Request", b"not UTF-8\n"
    verifier = SignatureVerifier(signing_secret)
    if not verifier.is_valid(
        text,
        environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", ""),
        environ.get("HTTP_X_SLACK_SIGNATURE", ""),
    ):
        return "401 Unauthorized", b"invalid signature\n"
    return _shape_problem(text, environ)


def _shape_problem(text: str, environ: dict[str, Any]) -> tuple[str, bytes] | None:
    """A signed body Bolt would fail on with a 500: JSON that is not an object, an `event`
    or an interactivity `payload` that is not an object. A JSON body (the Events API) is kept
    parsed in the environ (`SIGNED_JSON`)."""
    is_json = environ.get("CONTENT_TYPE", "").startswith("application/json")
    if is_json:
        raw = text
    else:
        payloads = parse_qs(text).get("payload")
        if not payloads:
            return None
        raw = payloads[0]
    try:
        data = json.loads(raw)
    except ValueError:
        return "400 Bad Request", b"malformed JSON\n"
    if not isinstance(data, dict) or not isinstance(data.get("event", {}), dict):
        return "400 Bad Request", b"unexpected payload\n"
    if is_json:
        environ[SIGNED_JSON] = data
    return None


def slack_fields(body: dict) -> dict[str, str]:
    """The ids worth a log line; never tokens or message text. A field of an unexpected type
    (a signed but odd payload) is left out rather than failing the request."""
    event = _object(body.get("event"))
    kind = body.get("command") or event.get("subtype") or event.get("type") or body.get("type")
    fields = {
        "kind": kind,
        "team": body.get("team_id") or _object(body.get("team")).get("id"),
        "channel": body.get("channel_id")
        or event.get("channel")
        or _object(event.get("item")).get("channel"),
        "user": body.get("user_id") or event.get("user") or _object(body.get("user")).get("id"),
        "request_id": body.get("event_id") or body.get("trigger_id"),
    }
    return {key: str(value) for key, value in fields.items() if isinstance(value, str) and value}


def _object(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def make_wsgi(
    bolt_handler: SlackRequestHandler,
    engine: Engine,
    signing_secret: str | None = None,
    events: Callable[[dict[str, Any]], int | None] | None = None,
) -> Wsgi:
    """The app Slack talks to. With `signing_secret` (HTTP mode) requests are verified before
    Bolt parses them, so an unsigned body can never make it fail. Then `events` gets each
    signed Events API delivery first: the HTTP status to answer, or None to hand it to Bolt
    (Bolt's dispatch costs more than storing an event, and events are most of Slack's traffic)."""

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz":
            return _health(engine, start_response)
        refused = refuse_early(environ)
        if refused is None and signing_secret and path in SLACK_PATHS:
            refused = verify_and_check(environ, signing_secret)
        if refused is not None:
            status, message = refused
            log.info("request refused", extra={"path": path, "status": status.split(" ")[0]})
            # waitress closes the connection itself after an error status it sees fit
            start_response(status, [("Content-Type", "text/plain")])
            return [message]
        started = time.perf_counter()
        body: dict[str, Any] | None = environ.get(SIGNED_JSON)
        if events is not None and body is not None:
            stored = events(body)
            if stored is not None:
                start_response(f"{stored} {HTTPStatus(stored).phrase}", [("Content-Length", "0")])
                _log_request(environ, str(stored), started, slack_fields(body))
                return []
        status_holder: list[str] = []
        fields: dict[str, str] = {}
        token = REQUEST_FIELDS.set(fields)

        def recording_start_response(status: str, headers: list, *args: Any) -> Any:
            status_holder.append(status)
            return start_response(status, headers, *args)

        try:
            response = bolt_handler(environ, recording_start_response)
        finally:
            REQUEST_FIELDS.reset(token)
        _log_request(environ, (status_holder or ["?"])[0].split(" ")[0], started, fields)
        return response

    return application


def _log_request(
    environ: dict[str, Any], status: str, started: float, fields: dict[str, str]
) -> None:
    log.info(
        "request",
        extra={
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO", ""),
            "status": status,
            "ms": round((time.perf_counter() - started) * 1000, 1),
            **fields,
            "retry": environ.get("HTTP_X_SLACK_RETRY_NUM", "0"),
        },
    )


def _health(engine: Engine, start_response: Callable[..., Any]) -> Iterable[bytes]:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # one line per failed check: platforms probe every few seconds
        cause = getattr(exc, "orig", None) or exc
        error = (str(cause).strip().splitlines() or [""])[0]
        log.warning("health check: database unreachable", extra={"error": error})
        start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
        return [b"database unreachable\n"]
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok\n"]


# A thread waits on the inbox's writer while it stores a delivery (Slack waits for that): the
# more deliveries waiting at once, the more one commit stores. With 8, under a burst, the writer
# stored 8 at a time and acknowledged 0.36x what a bare Bolt app does; with 32, 0.57x (bench_ack
# --mix events). Threads that wait cost little: their stacks are mostly untouched.
SERVER_THREADS = 32


def server_options() -> dict[str, Any]:
    """waitress's options: SERVER_THREADS threads, and bodies over MAX_BODY refused by waitress
    itself too (a client that sends no Content-Length)."""
    return {"threads": SERVER_THREADS, "ident": "interview-bot", "max_request_body_size": MAX_BODY}


# How often the serving loop looks at `should_stop` (a signal interrupts nothing in it).
POLL_SECONDS = 0.2
# A thread that gave up the GIL for a database call or a socket write waits up to this for it
# back while others compute (Python's default is 5 ms): the inbox's writer makes several such
# calls per event, so with the default it applies a few hundred events a second at most.
SWITCH_INTERVAL = 0.0005


def serve(
    application: Wsgi,
    port: int,
    should_stop: Callable[[], bool] = lambda: False,
    *,
    host: str = "0.0.0.0",
    grace: float = 6.0,
) -> bool:
    """Serve with waitress until `should_stop()`; then stop accepting connections, let the
    requests already received finish and their responses go out, close idle keep-alive
    connections, and return. True if all of that happened within `grace` seconds; False if
    some request was still running (it is abandoned; its client sees the connection close)."""
    sys.setswitchinterval(SWITCH_INTERVAL)
    sockets: dict[int, Any] = {}  # waitress's socket map: the listener, the trigger, connections
    server = create_server(application, map=sockets, host=host, port=port, **server_options())
    use_poll = server.adj.asyncore_use_poll
    log.info("listening", extra={"host": host, "port": port})
    while not should_stop():
        wasyncore.loop(timeout=POLL_SECONDS, map=sockets, count=1, use_poll=use_poll)

    deadline = time.monotonic() + grace
    for listener in [d for d in sockets.values() if isinstance(d, BaseWSGIServer)]:
        # Closes the listening socket only: BaseWSGIServer.close would also close the trigger
        # that worker threads pull when a response is ready to send.
        wasyncore.dispatcher.close(listener)
    in_flight = _drain(sockets, deadline, use_poll)
    remaining = max(1, math.ceil(deadline - time.monotonic()))
    server.task_dispatcher.shutdown(cancel_pending=False, timeout=remaining)
    wasyncore.close_all(sockets, ignore_all=True)
    if in_flight:
        log.warning("requests still running at shutdown", extra={"requests": in_flight})
    return not in_flight


def _drain(sockets: dict[int, Any], deadline: float, use_poll: bool) -> int:
    """Run the loop until every connection is idle and closed, or the deadline; how many
    connections still had a request running or a response unsent."""
    while True:
        busy = 0
        for channel in [d for d in sockets.values() if isinstance(d, HTTPChannel)]:
            if channel.requests or channel.request is not None or channel.total_outbufs_len:
                busy += 1  # a request running, half received, or a response not sent yet
            else:
                channel.will_close = True  # idle keep-alive: no new request on it
        if not any(isinstance(d, HTTPChannel) for d in sockets.values()):
            return 0
        if time.monotonic() >= deadline:
            return busy
        wasyncore.loop(timeout=0.05, map=sockets, count=1, use_poll=use_poll)
