"""Posting that must not fail the work around it (a count, a courtesy note)."""

from __future__ import annotations

import logging

from slack_sdk import WebClient

from bot.slack.blocks import Message
from bot.slack.errors import slack_error

log = logging.getLogger(__name__)


def post_quietly(
    client: WebClient, channel_id: str, message: Message, thread_ts: str | None = None
) -> str | None:
    """Post a secondary message; its ts, or None (logged) when Slack said no."""
    text, blocks = message
    try:
        reply = client.chat_postMessage(
            channel=channel_id, thread_ts=thread_ts, text=text, blocks=blocks
        )
    except Exception as exc:
        log.warning(
            "secondary message failed", extra={"channel": channel_id, "error": slack_error(exc)}
        )
        return None
    return str(reply["ts"])
