"""The production HTTP server (waitress) around Bolt's WSGI adapter, plus /healthz."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import Any

import waitress
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import Engine, text

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


def make_wsgi(bolt_handler: SlackRequestHandler, engine: Engine) -> Wsgi:
    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz":
            return _health(engine, start_response)
        refused = refuse_early(environ)
        if refused is not None:
            status, message = refused
            log.info("request refused", extra={"path": path, "status": status.split(" ")[0]})
            start_response(status, [("Content-Type", "text/plain"), ("Connection", "close")])
            return [message]
        started = time.perf_counter()
        status_holder: list[str] = []
        fields: dict[str, str] = {}
        token = REQUEST_FIELDS.set(fields)

        def recording_start_response(status: str, headers: list, *args: Any) -> Any:
            status_holder.append(status)
            return start_response(status, headers, *args)

        try:
            body = bolt_handler(environ, recording_start_response)
        finally:
            REQUEST_FIELDS.reset(token)
        log.info(
            "request",
            extra={
                "method": environ.get("REQUEST_METHOD"),
                "path": path,
                "status": (status_holder or ["?"])[0].split(" ")[0],
                "ms": round((time.perf_counter() - started) * 1000, 1),
                **fields,
                "retry": environ.get("HTTP_X_SLACK_RETRY_NUM", "0"),
            },
        )
        return body

    return application


def _health(engine: Engine, start_response: Callable[..., Any]) -> Iterable[bytes]:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:
        log.exception("health check: database unreachable")
        start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
        return [b"database unreachable\n"]
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok\n"]


def server_options() -> dict[str, Any]:
    """waitress's options: 8 threads, and bodies over MAX_BODY refused by waitress itself too
    (a client that sends no Content-Length)."""
    return {"threads": 8, "ident": "interview-bot", "max_request_body_size": MAX_BODY}


def serve(application: Wsgi, port: int, host: str = "0.0.0.0") -> None:
    log.info("listening", extra={"host": host, "port": port})
    waitress.serve(application, host=host, port=port, _quiet=True, **server_options())
