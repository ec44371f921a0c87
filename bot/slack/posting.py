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


def marker(event_type: str, **payload: str | int) -> dict[str, object]:
    """Message metadata that lets the bot find its own post again after an ambiguous failure."""
    return {"event_type": event_type, "event_payload": payload}


def find_marked(
    client: WebClient,
    channel_id: str,
    mark: dict[str, object],
    *,
    oldest: float | None = None,
    thread_ts: str | None = None,
) -> str | None:
    """The ts of the bot's message carrying `mark` (top level from `oldest` on, or in a
    thread); None when it is not there. Raises when Slack can't be asked (the caller must then
    assume nothing and not post again)."""
    if thread_ts is not None:
        found = client.conversations_replies(
            channel=channel_id, ts=thread_ts, include_all_metadata=True, limit=200
        )
    else:
        found = client.conversations_history(
            channel=channel_id,
            oldest=str(oldest or 0),
            include_all_metadata=True,
            limit=100,
        )
    for message in found.get("messages") or []:
        metadata = message.get("metadata") or {}
        if (
            metadata.get("event_type") == mark["event_type"]
            and metadata.get("event_payload") == mark["event_payload"]
        ):
            return str(message["ts"])
    return None


def edit_in_mentions(
    client: WebClient,
    channel_id: str,
    ts: str,
    text: str,
    blocks: list[dict[str, object]] | None = None,
) -> None:
    """Edit a posted message into its final form with mentions: Slack notifies people mentioned
    in a new message, not in an edit, so a message first posted with plain names (or a
    placeholder) names people without pinging them. Raises when Slack says no."""
    if blocks is None:
        client.chat_update(channel=channel_id, ts=ts, text=text)
    else:
        client.chat_update(channel=channel_id, ts=ts, text=text, blocks=blocks)
