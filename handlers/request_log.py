"""Tags the request log line with Slack's ids: kind, team, channel, user and request id."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App, BoltResponse

from bot.server import REQUEST_FIELDS


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


def register(app: App) -> None:
    @app.middleware
    def tag_request(body: dict, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        fields = REQUEST_FIELDS.get()
        if fields is not None:
            fields.update(slack_fields(body))
        return next()
