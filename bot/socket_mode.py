"""Socket Mode: Slack delivers events, the slash command and interactivity over a websocket the
bot opens (an app-level `xapp-` token), so no public URL is needed.

The bot still listens on PORT, for what a platform or an operator needs there and nothing from
Slack: `GET /healthz`, and with the OAuth install flow its two pages (/slack/install and
/slack/oauth_redirect, which a person's browser opens). `/slack/events` is refused there: in
Socket Mode nothing is signed, so a request over HTTP could not be told from a forged one.

An event the durable inbox could not store is not acknowledged (Bolt answers it 503, and
slack_bolt's adapter sends no envelope ack for anything but a 200), so Slack delivers it again,
as over HTTP."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.socket_mode.internals import run_bolt_app, send_response
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from sqlalchemy import Engine

from bot.server import REQUEST_FIELDS, Wsgi, make_wsgi

log = logging.getLogger("bot.socket_mode")

# What a browser opens during the OAuth install flow; everything else of Slack's comes over the
# websocket.
OAUTH_PATHS = ("/slack/install", "/slack/oauth_redirect")


class SocketModeError(Exception):
    """Slack refused to open the websocket; the message says what to check."""


class LoggedSocketModeHandler(SocketModeHandler):
    """slack_bolt's Socket Mode adapter (slack_sdk's built-in websocket client, no extra
    dependency) that writes the same one line per request as the HTTP server."""

    def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        started = time.perf_counter()
        fields: dict[str, str] = {}
        token = REQUEST_FIELDS.set(fields)  # the request-log middleware fills it in
        try:
            response = run_bolt_app(self.app, req)
        finally:
            REQUEST_FIELDS.reset(token)
        send_response(client, req, response, started)
        log.info(
            "request",
            extra={
                "via": "socket",
                "status": str(response.status),
                "ms": round((time.perf_counter() - started) * 1000, 1),
                **fields,
                "retry": str(req.retry_attempt or 0),
            },
        )


def socket_mode_handler(app: App, app_token: str) -> LoggedSocketModeHandler:
    """The handler for this app; Slack's Web API calls (apps.connections.open) go through the
    app's own client, so SLACK_API_URL applies to them too."""
    return LoggedSocketModeHandler(app, app_token, web_client=app.client)


def open_socket_mode(app: App, app_token: str) -> LoggedSocketModeHandler:
    """The handler, connected; SocketModeError saying what to check if Slack refuses."""
    handler = socket_mode_handler(app, app_token)
    try:
        handler.connect()
    except SlackApiError as exc:
        handler.close()
        error = exc.response.get("error", "unknown_error")
        raise SocketModeError(
            f"Slack refused the Socket Mode connection ({error}); check SLACK_APP_TOKEN (an "
            "app-level token with the connections:write scope, under Basic Information) and "
            "that Socket Mode is on in the app's settings"
        ) from None
    except OSError as exc:
        handler.close()
        raise SocketModeError(f"cannot open the Socket Mode connection to Slack: {exc}") from None
    log.info("connected to Slack over Socket Mode")
    return handler


def socket_mode_wsgi(bolt_handler: SlackRequestHandler, engine: Engine, oauth: bool) -> Wsgi:
    """What PORT serves in Socket Mode: /healthz, the OAuth install pages when the install flow
    is on, and 404 for anything else (/slack/events included)."""
    served = make_wsgi(bolt_handler, engine)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz" or (oauth and path in OAUTH_PATHS):
            return served(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        if path.startswith("/slack/"):
            return [b"Socket Mode: Slack talks to this bot over its websocket, not over HTTP\n"]
        return [b"not found\n"]

    return application
