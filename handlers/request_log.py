"""Tags the request log line with Slack's ids: kind, team, channel, user and request id."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App, BoltResponse

from bot.server import REQUEST_FIELDS, slack_fields


def register(app: App) -> None:
    @app.middleware
    def tag_request(body: dict, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        fields = REQUEST_FIELDS.get()
        if fields is not None:
            fields.update(slack_fields(body))
        return next()
