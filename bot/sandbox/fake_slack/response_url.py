"""``response_url``s: the per-request webhooks Bolt's ``respond()`` posts to."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from email.message import Message as EmailMessage
from typing import Any

from bot.sandbox.fake_slack.chat import ChatApi
from bot.sandbox.fake_slack.records import Call, Channel, HttpAnswer, is_true, str_arg
from bot.sandbox.fake_slack.transport import TEXT_CONTENT

_PREFIX = "/commands/"


@dataclass
class _ResponseUrl:
    channel: str | None
    user: str | None
    message_ts: str | None


class ResponseUrls(ChatApi):
    """Serves the URLs made by :meth:`response_url`; their payloads become messages."""

    def _init_state(self) -> None:
        super()._init_state()
        self._response_urls: dict[str, _ResponseUrl] = {}

    def response_url(
        self,
        *,
        channel: str | None = None,
        user: str | None = None,
        message_ts: str | None = None,
    ) -> str:
        """A fresh response_url on this server.

        POSTs are recorded as ``Call(method="response_url", args=<json body>)``. When bound to a
        channel/user (the driver does this), the payload also takes effect: ``in_channel``
        responses become messages, others ephemerals for ``user``; with ``message_ts`` bound,
        ``replace_original`` / ``delete_original`` edit or delete that bot message.
        """
        base = self.base_url
        with self._lock:
            self._counter += 1
            key = f"{self.team_id}/{self._counter}/{secrets.token_hex(12)}"
            self._response_urls[key] = _ResponseUrl(
                channel=channel, user=user, message_ts=message_ts
            )
        return f"{base}{_PREFIX}{key}"

    def _route_other(self, path: str, headers: EmailMessage, body: bytes) -> HttpAnswer | None:
        if path.startswith(_PREFIX):
            return self._handle_response_url(path[len(_PREFIX) :], body)
        return super()._route_other(path, headers, body)

    def _handle_response_url(self, key: str, body: bytes) -> HttpAnswer:
        with self._lock:
            binding = self._response_urls.get(key)
            if binding is None:
                return 404, dict(TEXT_CONTENT), b"no_service"
            try:
                payload = json.loads(body.decode("utf-8")) if body else {}
            except (UnicodeDecodeError, ValueError):
                payload = None
            call = Call(
                method="response_url",
                args=payload if isinstance(payload, dict) else {"_raw": body.decode("latin-1")},
                token=None,
                at=time.time(),
            )
            self._calls.append(call)
            failure = self._text_failure(call)
            if failure is not None:
                return failure
            if not isinstance(payload, dict):
                call.status = 400
                return 400, dict(TEXT_CONTENT), b"invalid_payload"
            self._apply_response_url(binding, payload)
        return 200, dict(TEXT_CONTENT), b"ok"

    def _apply_response_url(self, binding: _ResponseUrl, payload: dict[str, Any]) -> None:
        if binding.channel is None:
            return
        channel_id = self._lookup_channel_id(binding.channel) or binding.channel
        original = (
            self._find_message_locked(channel_id, binding.message_ts)
            if binding.message_ts
            else None
        )
        if is_true(payload.get("delete_original")):
            if original is not None:
                self._messages[channel_id].remove(original)
            return
        text = payload.get("text")
        blocks = payload.get("blocks")
        if is_true(payload.get("replace_original")) and original is not None:
            original.text = "" if text is None else str(text)
            original.blocks = blocks
            return
        if payload.get("response_type") == "in_channel":
            channel = self._channels.get(channel_id) or Channel(id=channel_id, name=channel_id)
            self._store_message(
                channel,
                text="" if text is None else str(text),
                blocks=blocks,
                attachments=payload.get("attachments"),
                thread_ts=str_arg(payload, "thread_ts"),
                user=self.bot_user_id,
            )
            return
        self._add_ephemeral(
            channel=channel_id,
            user=binding.user,
            thread_ts=str_arg(payload, "thread_ts"),
            text="" if text is None else str(text),
            blocks=blocks,
        )
