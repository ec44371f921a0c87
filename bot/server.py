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


def make_wsgi(bolt_handler: SlackRequestHandler, engine: Engine) -> Wsgi:
    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz":
            return _health(engine, start_response)
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


def serve(application: Wsgi, port: int, host: str = "0.0.0.0") -> None:
    log.info("listening", extra={"host": host, "port": port})
    waitress.serve(application, host=host, port=port, threads=8, ident="interview-bot", _quiet=True)
