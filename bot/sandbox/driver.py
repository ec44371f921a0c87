"""Drive the bot's HTTP endpoint the way Slack does: same payloads, same signing.

Every request is signed with ``slack_sdk.signature.SignatureVerifier`` (``v0=`` HMAC-SHA256 over
``v0:<timestamp>:<body>``) and carries ``X-Slack-Request-Timestamp`` / ``X-Slack-Signature``.
Slash commands and interactivity are form-encoded; Events API deliveries are JSON envelopes
following Slack's ``event_callback`` wrapper schema.

Message timestamps come from :meth:`FakeSlack.next_ts`, so user messages sent through the driver
and bot messages recorded by the fake never collide and always increase.
"""

from __future__ import annotations

import base64
import json
import secrets
import string
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from bot.sandbox.fake_slack import FakeSlack

__all__ = ["Response", "SlackDriver"]

_USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"
_FORM = "application/x-www-form-urlencoded"
_JSON = "application/json"


@dataclass
class Response:
    """What the bot answered. Non-2xx answers are returned too, never raised."""

    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class _Sent:
    """A message the driver posted as a user, remembered for edits, deletes and thread parents."""

    user: str | None
    text: str
    thread_ts: str | None
    client_msg_id: str | None
    bot_id: str | None = None


def _rich_text(text: str) -> list[dict[str, Any]]:
    """The ``rich_text`` block Slack clients attach to a plain message."""
    block_id = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(5))
    return [
        {
            "type": "rich_text",
            "block_id": block_id,
            "elements": [
                {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
            ],
        }
    ]


def _event_id() -> str:
    return "Ev" + "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(10))


class SlackDriver:
    """Sends requests to the bot exactly as Slack does, signed with the signing secret."""

    def __init__(
        self,
        bot_url: str,
        signing_secret: str,
        fake: FakeSlack,
        *,
        api_app_id: str = "A0APP",
        verification_token: str = "fake-verification-token",
        timeout: float = 30.0,
        team_id: str | None = None,
        enterprise_id: str | None = None,
        is_enterprise_install: bool = False,
    ) -> None:
        self.bot_url = bot_url
        self.team_id = team_id or fake.team_id  # another workspace installed through OAuth
        # An Enterprise Grid workspace names its org in every request; an org-wide install
        # (is_enterprise_install) serves every workspace of the org the admins granted it.
        self.enterprise_id = enterprise_id
        self.is_enterprise_install = is_enterprise_install
        self.fake = fake
        self.api_app_id = api_app_id
        self.verification_token = verification_token
        self.timeout = timeout
        self._verifier = SignatureVerifier(signing_secret)
        # Ignore *_proxy environment variables: the bot is always local.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self._lock = threading.Lock()
        self._sent: dict[tuple[str, str], _Sent] = {}
        self._last_event_body: str | None = None
        self.last_event_id: str | None = None

    # ---------------------------------------------------------------- transport

    def _send(
        self, body: str, content_type: str, extra_headers: dict[str, str] | None = None
    ) -> Response:
        timestamp = str(int(time.time()))
        # None only for a missing timestamp, which is always given here.
        signature = self._verifier.generate_signature(timestamp=timestamp, body=body) or ""
        headers = {
            "Content-Type": content_type,
            "User-Agent": _USER_AGENT,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": signature,
            **(extra_headers or {}),
        }
        request = urllib.request.Request(
            self.bot_url, data=body.encode("utf-8"), headers=headers, method="POST"
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as resp:
                raw, status, resp_headers = resp.read(), resp.status, dict(resp.headers.items())
        except urllib.error.HTTPError as exc:
            raw, status, resp_headers = exc.read(), exc.code, dict(exc.headers.items())
        return Response(status=status, body=raw.decode("utf-8", "replace"), headers=resp_headers)

    def _send_form(self, fields: dict[str, str]) -> Response:
        return self._send(urlencode(fields), _FORM)

    def _send_payload(self, payload: dict[str, Any]) -> Response:
        return self._send_form({"payload": json.dumps(payload)})

    # ---------------------------------------------------------------- raw Slack requests

    def command(
        self,
        text: str,
        *,
        user: str,
        channel: str,
        command: str = "/interview",
        channel_name: str | None = None,
    ) -> Response:
        """A slash command. ``channel_name`` defaults to the fake's name for ``channel``."""
        fake = self.fake
        fields = {
            "token": self.verification_token,
            "team_id": self.team_id,
            "team_domain": fake.team_domain,
            "channel_id": channel,
            "channel_name": channel_name or fake.channel_name(channel) or "general",
            "user_id": user,
            "user_name": fake.user_name(user) or user,
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "true" if self.is_enterprise_install else "false",
            "response_url": fake.response_url(channel=channel, user=user),
            "trigger_id": fake.new_trigger_id(),
        }
        if self.enterprise_id is not None:
            fields["enterprise_id"] = self.enterprise_id
            fields["enterprise_name"] = f"Org {self.enterprise_id}"
        return self._send_form(fields)

    def envelope(self, event: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
        """The ``event_callback`` envelope Slack wraps ``event`` in (without sending it)."""
        fake = self.fake
        inner = dict(event)
        inner.setdefault("event_ts", inner.get("ts") or fake.next_ts())
        context = json.dumps({"team": self.team_id, "app": self.api_app_id}).encode()
        envelope: dict[str, Any] = {
            "token": self.verification_token,
            "team_id": self.team_id,
            "context_team_id": self.team_id,
            "context_enterprise_id": self.enterprise_id,
            "api_app_id": self.api_app_id,
            "event": inner,
            "type": "event_callback",
            "event_id": event_id or _event_id(),
            "event_time": int(float(inner["event_ts"])),
            "authed_users": [fake.bot_user_id],
            "authorizations": [
                {
                    "enterprise_id": self.enterprise_id,
                    "team_id": self.team_id,
                    "user_id": fake.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": self.is_enterprise_install,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": "4-" + base64.urlsafe_b64encode(context).decode().rstrip("="),
        }
        if self.enterprise_id is not None:
            envelope["enterprise_id"] = self.enterprise_id
        return envelope

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
    ) -> Response:
        """Deliver ``event`` in an ``event_callback`` envelope (event_ts defaults to ts)."""
        body = json.dumps(self.envelope(event, event_id=event_id))
        with self._lock:
            self._last_event_body = body
            self.last_event_id = json.loads(body)["event_id"]
        return self._send(body, _JSON, self._retry_headers(retry_num, retry_reason))

    def resend_last_event(self, retry_num: int = 1, retry_reason: str = "http_timeout") -> Response:
        """Redeliver the previous event byte for byte, as Slack's retries do."""
        with self._lock:
            body = self._last_event_body
        if body is None:
            raise RuntimeError("no event has been sent yet")
        return self._send(body, _JSON, self._retry_headers(retry_num, retry_reason))

    @staticmethod
    def _retry_headers(retry_num: int | None, retry_reason: str) -> dict[str, str]:
        if retry_num is None:
            return {}
        return {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}

    def _interaction_defaults(self, payload: dict[str, Any]) -> dict[str, Any]:
        fake = self.fake
        data = dict(payload)
        user = data.get("user")
        if isinstance(user, str):
            name = fake.user_name(user) or user
            data["user"] = {"id": user, "username": name, "name": name, "team_id": self.team_id}
        data.setdefault("api_app_id", self.api_app_id)
        data.setdefault("token", self.verification_token)
        data.setdefault("team", {"id": self.team_id, "domain": fake.team_domain})
        enterprise = None
        if self.enterprise_id is not None:
            enterprise = {"id": self.enterprise_id, "name": f"Org {self.enterprise_id}"}
        data.setdefault("enterprise", enterprise)
        data.setdefault("is_enterprise_install", self.is_enterprise_install)
        data.setdefault("trigger_id", fake.new_trigger_id())
        return data

    def action(self, payload: dict[str, Any]) -> Response:
        """An interactivity payload (``block_actions`` etc.), form-encoded as ``payload=<json>``.

        Missing envelope fields are filled in like Slack would (token, api_app_id, team,
        enterprise, is_enterprise_install, a fresh trigger_id; ``user`` may be given as an id).
        For ``block_actions`` on a message without a ``response_url``, one bound to that message
        is added, so ``respond(replace_original=True)`` edits it in the fake.
        """
        data = self._interaction_defaults(payload)
        container = data.get("container") or {}
        if (
            data.get("type") == "block_actions"
            and "response_url" not in data
            and container.get("type") == "message"
        ):
            channel = container.get("channel_id") or (data.get("channel") or {}).get("id")
            data["response_url"] = self.fake.response_url(
                channel=channel,
                user=(data.get("user") or {}).get("id"),
                message_ts=container.get("message_ts"),
            )
        return self._send_payload(data)

    def view_submission(self, payload: dict[str, Any]) -> Response:
        """A ``view_submission`` payload (type and envelope fields filled in when missing)."""
        data = self._interaction_defaults(payload)
        data.setdefault("type", "view_submission")
        data.setdefault("response_urls", [])
        return self._send_payload(data)

    def url_verification(self, challenge: str) -> Response:
        body = {
            "token": self.verification_token,
            "challenge": challenge,
            "type": "url_verification",
        }
        return self._send(json.dumps(body), _JSON)

    # ---------------------------------------------------------------- conversation helpers

    def _remember(self, channel: str, ts: str, sent: _Sent) -> None:
        with self._lock:
            self._sent[(channel, ts)] = sent

    def _recall(self, channel: str, ts: str) -> _Sent | None:
        with self._lock:
            sent = self._sent.get((channel, ts))
        if sent is not None:
            return sent
        bot_message = self.fake.find_message(channel, ts)
        if bot_message is not None:
            return _Sent(
                user=bot_message["user"],
                text=bot_message["text"],
                thread_ts=bot_message["thread_ts"],
                client_msg_id=None,
                bot_id=self.fake.bot_id,
            )
        return None

    def _user_message(
        self, channel: str, text: str, *, user: str, thread_ts: str | None
    ) -> tuple[str, dict[str, Any]]:
        ts = self.fake.next_ts()
        client_msg_id = str(uuid.uuid4())
        event: dict[str, Any] = {
            "client_msg_id": client_msg_id,
            "type": "message",
            "text": text,
            "user": user,
            "ts": ts,
            "blocks": _rich_text(text),
            "team": self.team_id,
        }
        if thread_ts is not None:
            event["thread_ts"] = thread_ts
            parent = self._recall(channel, thread_ts)
            if parent is not None and parent.user:
                event["parent_user_id"] = parent.user
        event.update(
            {
                "channel": channel,
                "event_ts": ts,
                "channel_type": self.fake.channel_type(channel),
            }
        )
        self._remember(channel, ts, _Sent(user, text, thread_ts, client_msg_id))
        return ts, event

    def prepare_reply(
        self, channel: str, thread_ts: str, text: str, *, user: str
    ) -> tuple[str, dict[str, Any]]:
        """A thread reply event not sent yet: send it later with :meth:`event` (out of order)."""
        return self._user_message(channel, text, user=user, thread_ts=thread_ts)

    def post(self, channel: str, text: str, *, user: str) -> tuple[str, Response]:
        """A top-level message from ``user``; returns its ts and the bot's answer."""
        ts, event = self._user_message(channel, text, user=user, thread_ts=None)
        return ts, self.event(event)

    def reply(self, channel: str, thread_ts: str, text: str, *, user: str) -> tuple[str, Response]:
        """A thread reply from ``user``; returns its ts and the bot's answer."""
        ts, event = self._user_message(channel, text, user=user, thread_ts=thread_ts)
        return ts, self.event(event)

    def bot_reply(
        self, channel: str, thread_ts: str, text: str, *, bot_id: str = "B0OTHER"
    ) -> tuple[str, Response]:
        """A thread reply from another bot (``subtype: bot_message``)."""
        ts = self.fake.next_ts()
        event = {
            "type": "message",
            "subtype": "bot_message",
            "text": text,
            "ts": ts,
            "bot_id": bot_id,
            "username": "other-bot",
            "thread_ts": thread_ts,
            "channel": channel,
            "event_ts": ts,
            "channel_type": self.fake.channel_type(channel),
        }
        self._remember(channel, ts, _Sent(None, text, thread_ts, None, bot_id=bot_id))
        return ts, self.event(event)

    def _previous_message(self, channel: str, ts: str, *, user: str) -> dict[str, Any]:
        sent = self._recall(channel, ts)
        previous: dict[str, Any] = {"type": "message", "text": sent.text if sent else "", "ts": ts}
        if sent is not None and sent.user is None:
            previous["subtype"] = "bot_message"
        else:
            previous["user"] = sent.user if sent and sent.user else user
        if sent is not None and sent.bot_id:
            previous["bot_id"] = sent.bot_id
        if sent is not None and sent.client_msg_id:
            previous["client_msg_id"] = sent.client_msg_id
        if sent is not None and sent.thread_ts:
            previous["thread_ts"] = sent.thread_ts
        return previous

    def edit(
        self, channel: str, ts: str, text: str, *, user: str, thread_ts: str | None = None
    ) -> Response:
        """``message_changed``: ``user`` edits message ``ts`` to ``text``."""
        event_ts = self.fake.next_ts()
        previous = self._previous_message(channel, ts, user=user)
        thread_ts = thread_ts or previous.get("thread_ts")
        message: dict[str, Any] = {
            "type": "message",
            "text": text,
            "user": user,
            "team": self.team_id,
            "edited": {"user": user, "ts": event_ts},
            "blocks": _rich_text(text),
            "ts": ts,
            "source_team": self.team_id,
            "user_team": self.team_id,
        }
        if "client_msg_id" in previous:
            message["client_msg_id"] = previous["client_msg_id"]
        if thread_ts:
            message["thread_ts"] = thread_ts
            parent = self._recall(channel, thread_ts)
            if parent is not None and parent.user:
                message["parent_user_id"] = parent.user
        event = {
            "type": "message",
            "subtype": "message_changed",
            "message": message,
            "previous_message": previous,
            "channel": channel,
            "hidden": True,
            "ts": event_ts,
            "event_ts": event_ts,
            "channel_type": self.fake.channel_type(channel),
        }
        self._remember(channel, ts, _Sent(user, text, thread_ts, previous.get("client_msg_id")))
        return self.event(event)

    def delete(self, channel: str, ts: str, *, user: str, thread_ts: str | None = None) -> Response:
        """``message_deleted`` for message ``ts``."""
        event_ts = self.fake.next_ts()
        previous = self._previous_message(channel, ts, user=user)
        if thread_ts:
            previous["thread_ts"] = thread_ts
        event = {
            "type": "message",
            "subtype": "message_deleted",
            "previous_message": previous,
            "channel": channel,
            "hidden": True,
            "deleted_ts": ts,
            "event_ts": event_ts,
            "ts": event_ts,
            "channel_type": self.fake.channel_type(channel),
        }
        with self._lock:
            self._sent.pop((channel, ts), None)
        return self.event(event)

    def invite_bot(
        self, channel: str, *, inviter: str | None, event_id: str | None = None
    ) -> Response:
        """``member_joined_channel`` for the bot itself: ``inviter`` added it to ``channel``
        (``None``: it joined on its own, e.g. through an admin). The fake counts it as a member
        from now on."""
        self.fake.bot_joins(channel)
        event: dict[str, Any] = {
            "type": "member_joined_channel",
            "user": self.fake.bot_user_id,
            "channel": channel,
            "channel_type": "G" if self.fake.channel_type(channel) == "group" else "C",
            "team": self.team_id,
            "event_ts": self.fake.next_ts(),
        }
        if inviter is not None:
            event["inviter"] = inviter
        return self.event(event, event_id=event_id)

    def _reaction(
        self, kind: str, channel: str, ts: str, name: str, *, user: str, item_user: str
    ) -> Response:
        event = {
            "type": kind,
            "user": user,
            "reaction": name.strip(":"),
            "item": {"type": "message", "channel": channel, "ts": ts},
            "item_user": item_user,
            "event_ts": self.fake.next_ts(),
        }
        return self.event(event)

    def react(self, channel: str, ts: str, name: str, *, user: str, item_user: str) -> Response:
        """``reaction_added``: ``user`` reacts with ``:name:`` to ``item_user``'s message ts."""
        return self._reaction("reaction_added", channel, ts, name, user=user, item_user=item_user)

    def unreact(self, channel: str, ts: str, name: str, *, user: str, item_user: str) -> Response:
        """``reaction_removed``."""
        return self._reaction("reaction_removed", channel, ts, name, user=user, item_user=item_user)
