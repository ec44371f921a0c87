"""Web API clients: one per workspace, pointed at SLACK_API_URL, with Slack's retry handlers."""

from __future__ import annotations

import threading
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

from bot.config import Settings

# team id -> that workspace's client
ClientFor = Callable[[str], WebClient]

# Keep in step with manifest.yml (a test checks they match).
BOT_SCOPES = (
    "commands",
    "chat:write",
    "channels:history",
    "groups:history",
    "reactions:read",
    "users:read",
    "channels:read",
    "groups:read",
    "files:write",
)


def make_client(settings: Settings, token: str | None) -> WebClient:
    """A Web API client on SLACK_API_URL that waits out 429s and retries dropped connections."""
    return WebClient(
        token=token,
        base_url=settings.slack_api_url,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=3),
        ],
    )


class WorkspaceClients:
    """A Web API client per workspace, with the bot token saved when that workspace installed."""

    def __init__(self, settings: Settings, store: SQLAlchemyInstallationStore) -> None:
        self.settings = settings
        self.store = store
        self._clients: dict[str, WebClient] = {}
        self._lock = threading.Lock()

    def __call__(self, team_id: str) -> WebClient:
        bot = self.store.find_bot(enterprise_id=None, team_id=team_id)
        if bot is None or not bot.bot_token:
            raise LookupError(f"workspace {team_id} has not installed the app")
        with self._lock:
            client = self._clients.get(bot.bot_token)
            if client is None:
                client = self._clients[bot.bot_token] = make_client(self.settings, bot.bot_token)
            return client
