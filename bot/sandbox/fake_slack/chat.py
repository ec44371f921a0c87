"""Messages: ``chat.postMessage``, ``chat.update``, ``chat.delete``, ``chat.postEphemeral``, and
their records."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.sandbox.fake_slack.conversations import ConversationsApi
from bot.sandbox.fake_slack.records import (
    ApiError,
    ApiRequest,
    Channel,
    Handler,
    Install,
    Message,
    str_arg,
)

_MAX_TEXT = 40_000
_MAX_MESSAGE_BLOCKS = 50


class ChatApi(ConversationsApi):
    """Bot messages per channel (top level and thread replies) and ephemeral messages."""

    def _init_state(self) -> None:
        super()._init_state()
        self._messages: dict[str, list[Message]] = {}
        self._ephemerals: list[dict[str, Any]] = []

    def _api_methods(self) -> dict[str, Handler]:
        return {
            **super()._api_methods(),
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
        }

    def _reset_locked(self) -> None:
        super()._reset_locked()
        self._messages.clear()
        self._ephemerals.clear()

    # ---------------------------------------------------------------- inspection

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Bot messages in ``channel`` (top level and thread replies), oldest first."""
        with self._lock:
            channel_id = self._lookup_channel_id(channel)
            return [m.public() for m in self._messages.get(channel_id or channel, [])]

    def thread(self, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        """Bot messages in one thread: the parent (if the bot posted it) and its replies."""
        return [
            m for m in self.messages(channel) if m["ts"] == thread_ts or m["thread_ts"] == thread_ts
        ]

    def find_message(self, channel: str, ts: str) -> dict[str, Any] | None:
        with self._lock:
            message = self._find_message_locked(self._lookup_channel_id(channel) or channel, ts)
            return message.public() if message else None

    def ephemerals(
        self, channel: str | None = None, user: str | None = None
    ) -> list[dict[str, Any]]:
        """Ephemeral messages: each {"channel","user","ts","thread_ts","text","blocks"}."""
        with self._lock:
            channel_id = self._lookup_channel_id(channel) if channel else None
            return [
                dict(e)
                for e in self._ephemerals
                if (channel is None or e["channel"] in (channel, channel_id))
                and (user is None or e["user"] == user)
            ]

    # ---------------------------------------------------------------- helpers (lock held)

    def _find_message_locked(self, channel_id: str, ts: str) -> Message | None:
        for message in self._messages.get(channel_id, []):
            if message.ts == ts:
                return message
        return None

    @staticmethod
    def _message_content(
        args: Mapping[str, Any], *, require: bool = True
    ) -> tuple[str | None, list[dict[str, Any]] | None, list[dict[str, Any]] | None]:
        raw_text = args.get("text")
        text = None if raw_text is None else str(raw_text)
        blocks = args.get("blocks")
        attachments = args.get("attachments")
        if blocks is not None and (
            not isinstance(blocks, list)
            or len(blocks) > _MAX_MESSAGE_BLOCKS
            or not all(isinstance(b, dict) and isinstance(b.get("type"), str) for b in blocks)
        ):
            raise ApiError("invalid_blocks")
        if attachments is not None and not isinstance(attachments, list):
            raise ApiError("invalid_attachments")
        if require and not text and not blocks and not attachments:
            raise ApiError("no_text")
        if text is not None and len(text) > _MAX_TEXT:
            raise ApiError("msg_too_long")
        return text, blocks, attachments

    def _store_message(
        self,
        channel: Channel,
        *,
        text: str,
        blocks: list[dict[str, Any]] | None,
        attachments: list[dict[str, Any]] | None,
        thread_ts: str | None,
        user: str,
    ) -> Message:
        message = Message(
            channel=channel.id,
            ts=self.next_ts(),
            thread_ts=thread_ts,
            text=text,
            blocks=blocks,
            attachments=attachments,
            user=user,
        )
        self._messages.setdefault(channel.id, []).append(message)
        return message

    def _add_ephemeral(
        self,
        *,
        channel: str,
        user: str | None,
        thread_ts: str | None,
        text: str,
        blocks: list[dict[str, Any]] | None,
    ) -> str:
        ts = self.next_ts()
        self._ephemerals.append(
            {
                "channel": channel,
                "user": user,
                "ts": ts,
                "thread_ts": thread_ts,
                "text": text,
                "blocks": blocks,
            }
        )
        return ts

    def _message_json(self, message: Message, install: Install) -> dict[str, Any]:
        data: dict[str, Any] = {
            "user": message.user,
            "type": "message",
            "ts": message.ts,
            "bot_id": install.bot_id,
            "app_id": install.app_id,
            "text": message.text,
            "team": install.team_id,
            "bot_profile": {
                "id": install.bot_id,
                "app_id": install.app_id,
                "name": self.bot_name,
                "deleted": False,
                "team_id": install.team_id,
            },
        }
        if message.blocks is not None:
            data["blocks"] = message.blocks
        if message.attachments is not None:
            data["attachments"] = message.attachments
        if message.thread_ts:
            data["thread_ts"] = message.thread_ts
            parent = self._find_message_locked(message.channel, message.thread_ts)
            if parent is not None:
                data["parent_user_id"] = parent.user
        return data

    # ---------------------------------------------------------------- methods (lock held)

    def _chat_post_message(self, request: ApiRequest) -> dict[str, Any]:
        install = request.bot
        channel = self._resolve_post_channel(str(request.args["channel"]))
        if channel.is_archived:
            raise ApiError("is_archived")
        if not channel.is_member:
            raise ApiError("not_in_channel")
        text, blocks, attachments = self._message_content(request.args)
        message = self._store_message(
            channel,
            text=text or "",
            blocks=blocks,
            attachments=attachments,
            thread_ts=str_arg(request.args, "thread_ts"),
            user=install.bot_user_id,
        )
        metadata = request.args.get("metadata")
        if isinstance(metadata, dict) and isinstance(metadata.get("event_type"), str):
            message.metadata = {
                "event_type": metadata["event_type"],
                "event_payload": metadata.get("event_payload") or {},
            }
        return {
            "channel": channel.id,
            "ts": message.ts,
            "message": self._message_json(message, install),
        }

    def _history_json(
        self, messages: list[Message], request: ApiRequest, *, replies: bool
    ) -> dict[str, Any]:
        """Newest first for history, oldest first for replies, like Slack; metadata only with
        include_all_metadata."""
        oldest = float(str_arg(request.args, "oldest") or 0)
        latest = float(str_arg(request.args, "latest") or 9e12)
        limit = int(str_arg(request.args, "limit") or 100)
        metadata = str_arg(request.args, "include_all_metadata") in ("true", "1", "True")
        picked = [m for m in messages if oldest <= float(m.ts) <= latest]
        picked = picked if replies else list(reversed(picked))
        out = []
        for message in picked[:limit]:
            data = self._message_json(message, request.bot)
            if metadata and message.metadata is not None:
                data["metadata"] = message.metadata
            out.append(data)
        return {"messages": out, "has_more": len(picked) > limit}

    def _readable_channel(self, request: ApiRequest) -> str:
        channel_id = self._lookup_channel_id(str(request.args["channel"]))
        if channel_id is None:
            raise ApiError("channel_not_found")
        if not self._channels[channel_id].is_member:
            raise ApiError("not_in_channel")
        return channel_id

    def _conversations_history(self, request: ApiRequest) -> dict[str, Any]:
        channel_id = self._readable_channel(request)
        top = [m for m in self._messages.get(channel_id, []) if not m.thread_ts]
        return self._history_json(top, request, replies=False)

    def _conversations_replies(self, request: ApiRequest) -> dict[str, Any]:
        channel_id = self._readable_channel(request)
        ts = str(request.args["ts"])
        thread = [m for m in self._messages.get(channel_id, []) if ts in (m.ts, m.thread_ts)]
        if not thread:
            raise ApiError("thread_not_found")
        return self._history_json(thread, request, replies=True)

    def _own_message_locked(self, request: ApiRequest, refusal: str) -> tuple[str, Message]:
        """The channel and message `channel`/`ts` name, which must be the bot's own: a bot
        token changes no one else's message (`refusal` otherwise)."""
        channel_id = self._lookup_channel_id(str(request.args["channel"]))
        if channel_id is None:
            raise ApiError("channel_not_found")
        message = self._find_message_locked(channel_id, str(request.args["ts"]))
        if message is None:
            raise ApiError("message_not_found")
        if message.user != request.bot.bot_user_id:
            raise ApiError(refusal)
        return channel_id, message

    def _chat_update(self, request: ApiRequest) -> dict[str, Any]:
        install = request.bot
        channel_id, message = self._own_message_locked(request, "cant_update_message")
        text, blocks, attachments = self._message_content(request.args, require=False)
        if text is not None:
            message.text = text
        if blocks is not None:
            message.blocks = blocks or None
        if attachments is not None:
            message.attachments = attachments or None
        if not message.text and not message.blocks and not message.attachments:
            raise ApiError("no_text")
        return {
            "channel": channel_id,
            "ts": message.ts,
            "text": message.text,
            "message": self._message_json(message, install),
        }

    def _chat_delete(self, request: ApiRequest) -> dict[str, Any]:
        """A bot deletes only its own messages."""
        channel_id, message = self._own_message_locked(request, "cant_delete_message")
        self._messages[channel_id].remove(message)
        return {"channel": channel_id, "ts": message.ts}

    def _chat_post_ephemeral(self, request: ApiRequest) -> dict[str, Any]:
        channel = self._resolve_post_channel(str(request.args["channel"]))
        if channel.is_archived:
            raise ApiError("is_archived")
        user = str(request.args["user"])
        if user not in self._users:
            raise ApiError("user_not_in_channel")
        text, blocks, _attachments = self._message_content(request.args)
        ts = self._add_ephemeral(
            channel=channel.id,
            user=user,
            thread_ts=str_arg(request.args, "thread_ts"),
            text=text or "",
            blocks=blocks,
        )
        return {"message_ts": ts}
