"""Web API clients: one per workspace, pointed at SLACK_API_URL, with Slack's retry handlers."""

from __future__ import annotations

from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.config import Settings

# team id -> that workspace's client (bot.slack.installs finds it for OAuth installs)
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


# Calls that create something: a dropped connection or a 5xx after Slack acted on one would
# create it twice if retried blindly, so they are never retried here (a 429 is: Slack did
# nothing). The round and reveal posts check Slack for their marker instead.
CREATING_METHODS = frozenset(
    {
        "chat.postMessage",
        "chat.postEphemeral",
        "chat.scheduleMessage",
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    }
)


def method_of(request: HttpRequest) -> str:
    return request.url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]


class ReadsOnly(RetryHandler):
    """Another retry handler's rule, except for calls that create something."""

    def __init__(self, inner: RetryHandler) -> None:
        super().__init__(inner.max_retry_count, inner.interval_calculator)
        self.inner = inner

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if method_of(request) in CREATING_METHODS:
            return False
        return self.inner._can_retry(state=state, request=request, response=response, error=error)


def retry_handlers() -> list[RetryHandler]:
    """Waits out 429s (Retry-After) for every call; retries dropped connections and 5xx answers
    with backoff only for calls that can't create anything twice."""
    return [
        ReadsOnly(ConnectionErrorRetryHandler(max_retry_count=2)),
        ReadsOnly(ServerErrorRetryHandler(max_retry_count=2)),
        RateLimitErrorRetryHandler(max_retry_count=3),
    ]


def make_client(settings: Settings, token: str | None) -> WebClient:
    """A Web API client on SLACK_API_URL with the bot's retry policy."""
    return WebClient(token=token, base_url=settings.slack_api_url, retry_handlers=retry_handlers())
