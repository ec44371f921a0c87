"""A local fake of Slack's Web API served over real HTTP.

Only the standard library is used, so the fake ships inside the package and can back the test
suite, the offline demo and the benchmarks alike::

    with FakeSlack() as fake:
        fake.add_user("U1", "alice")
        fake.add_channel("C1", "general")
        client = WebClient(base_url=fake.api_url, token=fake.bot_token)
        client.chat_postMessage(channel="C1", text="hi")
        assert fake.messages("C1")[0]["text"] == "hi"

Method names and required arguments follow Slack's published OpenAPI spec (loaded lazily from
``shared/slack-specs`` next to the repository, or from ``$SLACK_OPENAPI_SPEC``); when the spec
is not available a hard-coded copy of the relevant required-argument lists is used instead.
Only what our bot needs is implemented, but what is implemented answers like Slack does: the
same error codes, the same response shapes, rate limiting with ``Retry-After``.
"""

from __future__ import annotations

import base64
import binascii
import email.parser
import email.policy
import json
import os
import re
import secrets
import string
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "FALLBACK_REQUIRED_ARGS",
    "IMPLEMENTED_METHODS",
    "Call",
    "FakeSlack",
    "default_spec_path",
    "spec_required_args",
]

SPEC_FILENAME = "slack_web_openapi_v2_without_examples.json"
SPEC_ENV_VAR = "SLACK_OPENAPI_SPEC"

# Required (non-token) arguments per method, copied from the OpenAPI spec. Used only when the
# spec file cannot be found; a test keeps this table in sync with the spec.
FALLBACK_REQUIRED_ARGS: dict[str, frozenset[str]] = {
    "auth.test": frozenset(),
    "chat.delete": frozenset(),
    "chat.getPermalink": frozenset({"channel", "message_ts"}),
    "chat.postEphemeral": frozenset({"channel", "user"}),
    "chat.postMessage": frozenset({"channel"}),
    "chat.update": frozenset({"channel", "ts"}),
    "conversations.info": frozenset(),
    "conversations.join": frozenset(),
    "conversations.open": frozenset(),
    "oauth.v2.access": frozenset({"code"}),
    "reactions.add": frozenset({"channel", "name", "timestamp"}),
    "reactions.remove": frozenset({"name"}),
    "users.info": frozenset(),
    "views.open": frozenset({"trigger_id", "view"}),
    "views.publish": frozenset({"user_id", "view"}),
    "views.push": frozenset({"trigger_id", "view"}),
    "views.update": frozenset(),
}
IMPLEMENTED_METHODS: frozenset[str] = frozenset(FALLBACK_REQUIRED_ARGS)

# Methods that authenticate with client credentials instead of a token.
_NO_TOKEN_METHODS = frozenset({"oauth.v2.access"})
# Arguments that are JSON documents; form-encoded requests carry them as JSON strings.
_JSON_ARGS = frozenset({"blocks", "attachments", "view", "metadata"})
_MAX_TEXT = 40_000
_MAX_MESSAGE_BLOCKS = 50
_MAX_VIEW_BLOCKS = 100
_DEFAULT_SCOPE = "app_mentions:read,channels:history,channels:join,channels:read,chat:write,commands,groups:history,groups:read,im:history,im:read,im:write,reactions:read,reactions:write,users:read"  # noqa: E501
_ID_ALPHABET = string.ascii_uppercase + string.digits


# --------------------------------------------------------------------------------------------
# OpenAPI spec
# --------------------------------------------------------------------------------------------


def default_spec_path() -> Path:
    """The OpenAPI spec location: ``$SLACK_OPENAPI_SPEC`` or ``../shared/slack-specs``."""
    override = os.environ.get(SPEC_ENV_VAR)
    if override:
        return Path(override)
    # bot/sandbox/fake_slack.py -> <repo> -> its parent, which holds shared/
    return Path(__file__).resolve().parents[3] / "shared" / "slack-specs" / SPEC_FILENAME


@cache
def _load_spec_required_args(path: str) -> dict[str, frozenset[str]] | None:
    try:
        with open(path, encoding="utf-8") as fh:
            spec = json.load(fh)
    except (OSError, ValueError):
        return None
    result: dict[str, frozenset[str]] = {}
    for route, operations in spec.get("paths", {}).items():
        required: set[str] = set()
        for operation in operations.values():
            for param in operation.get("parameters", []):
                if param.get("required") and param.get("name") != "token":
                    required.add(param["name"])
        result[route.lstrip("/")] = frozenset(required)
    return result


def spec_required_args(path: Path | None = None) -> dict[str, frozenset[str]] | None:
    """Required non-token arguments of every method in the spec, or None if it is unavailable."""
    return _load_spec_required_args(str(path or default_spec_path()))


# --------------------------------------------------------------------------------------------
# Records and internal state
# --------------------------------------------------------------------------------------------


@dataclass
class Call:
    """One request the fake received. ``token`` is kept out of ``repr`` so it is never printed."""

    method: str
    args: dict[str, Any]
    token: str | None = field(repr=False)
    at: float
    # What the fake answered (None for response_url). Out of repr: it may hold a fresh token.
    response: dict[str, Any] | None = field(default=None, repr=False)
    status: int = 200


@dataclass
class _Install:
    team_id: str
    team_name: str
    bot_user_id: str
    bot_id: str
    app_id: str
    scope: str
    installer_user_id: str | None


@dataclass
class _User:
    id: str
    name: str
    real_name: str
    display_name: str
    email: str | None
    is_admin: bool
    is_owner: bool
    is_primary_owner: bool
    is_bot: bool
    tz: str
    team_id: str


@dataclass
class _Channel:
    id: str
    name: str
    is_private: bool = False
    is_member: bool = True
    is_archived: bool = False
    is_im: bool = False
    is_mpim: bool = False
    im_user: str | None = None
    created: int = field(default_factory=lambda: int(time.time()))


@dataclass
class _Message:
    channel: str
    ts: str
    thread_ts: str | None
    text: str
    blocks: list[dict[str, Any]] | None
    attachments: list[dict[str, Any]] | None
    user: str

    def public(self) -> dict[str, Any]:
        return {
            "ts": self.ts,
            "thread_ts": self.thread_ts,
            "text": self.text,
            "blocks": self.blocks,
            "user": self.user,
        }


@dataclass
class _Failure:
    error: str
    status: int
    retry_after: int | None
    remaining: int


@dataclass
class _ResponseUrl:
    channel: str | None
    user: str | None
    message_ts: str | None


@dataclass
class _OAuthGrant:
    install: _Install
    redirect_uri: str | None


class _ApiError(Exception):
    def __init__(self, error: str, *, status: int = 200, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.extra = extra


@dataclass
class _Request:
    method: str
    args: dict[str, Any]
    install: _Install | None
    basic_auth: tuple[str, str] | None


def _random_id(prefix: str, length: int = 10) -> str:
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


def _domain(team_name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", team_name.lower()).strip("-") or "workspace"


def _is_true(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes"}
    return bool(value)


def _str_arg(args: Mapping[str, Any], name: str) -> str | None:
    value = args.get(name)
    if value is None or value == "":
        return None
    return str(value)


# --------------------------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], fake: FakeSlack) -> None:
        self.fake = fake
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:  # pragma: no cover
        # Client disconnects and the like: stay quiet.
        pass


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "FakeSlack/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:  # noqa: N802
        self._dispatch()

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch()

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        fake = self.server.fake
        try:
            status, headers, payload = fake._route(self.path, self.headers, body)
        except Exception as exc:  # a bug in the fake: answer like Slack's fatal_error
            fake._record_internal_error(exc)
            status, headers = 500, {"Content-Type": "application/json; charset=utf-8"}
            payload = json.dumps({"ok": False, "error": "fatal_error"}).encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def _json_response(
    payload: Mapping[str, Any], status: int = 200, headers: Mapping[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    all_headers = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
    return status, all_headers, json.dumps(payload).encode()


def _parse_body(content_type: str, body: bytes) -> dict[str, Any]:
    """Decode a JSON, form-encoded or multipart body into a dict; raise _ApiError if invalid."""
    if not body:
        return {}
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime == "application/json":
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise _ApiError("invalid_json") from exc
        if not isinstance(data, dict):
            raise _ApiError("json_not_object")
        return data
    if mime == "multipart/form-data":
        parser = email.parser.BytesParser(policy=email.policy.HTTP)
        message = parser.parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
        )
        if not message.is_multipart():
            raise _ApiError("invalid_form_data")
        result: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not name:
                continue
            payload = part.get_payload(decode=True) or b""
            if part.get_filename():
                result[str(name)] = payload
            else:
                result[str(name)] = payload.decode(part.get_content_charset() or "utf-8")
        return result
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError as exc:
        raise _ApiError("invalid_charset") from exc


# --------------------------------------------------------------------------------------------
# The fake
# --------------------------------------------------------------------------------------------


class FakeSlack:
    """An in-process Slack Web API over HTTP. Thread-safe; every request is recorded as a Call."""

    def __init__(
        self,
        team_id: str = "T0TEAM",
        team_name: str = "Acme",
        bot_user_id: str = "UBOT",
        bot_token: str = "xoxb-fake-token",
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        bot_id: str = "B0BOT",
        app_id: str = "A0APP",
        bot_name: str = "interview-bot",
        client_id: str | None = None,
        client_secret: str | None = None,
        spec_path: Path | None = None,
    ) -> None:
        self.team_id = team_id
        self.team_name = team_name
        self.bot_user_id = bot_user_id
        self.bot_token = bot_token
        self.bot_id = bot_id
        self.app_id = app_id
        self.bot_name = bot_name
        self.client_id = client_id
        self.client_secret = client_secret
        self._host = host
        self._port = port
        self._spec_path = spec_path

        self._lock = threading.RLock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._last_ts_us = 0
        self._counter = 0

        self._teams: dict[str, str] = {team_id: team_name}
        self._tokens: dict[str, _Install] = {
            bot_token: _Install(
                team_id=team_id,
                team_name=team_name,
                bot_user_id=bot_user_id,
                bot_id=bot_id,
                app_id=app_id,
                scope=_DEFAULT_SCOPE,
                installer_user_id=None,
            )
        }
        self._users: dict[str, _User] = {}
        self._channels: dict[str, _Channel] = {}
        self._dms: dict[tuple[str, ...], str] = {}
        self._oauth_codes: dict[str, _OAuthGrant] = {}
        self._triggers: dict[str, bool] = {}  # trigger_id -> already used
        self._response_urls: dict[str, _ResponseUrl] = {}

        self._calls: list[Call] = []
        self._messages: dict[str, list[_Message]] = {}
        self._ephemerals: list[dict[str, Any]] = []
        self._views: dict[str, dict[str, Any]] = {}
        self._home_views: dict[str, str] = {}
        self._reactions: set[tuple[str, str, str, str]] = set()
        self._failures: dict[str, list[_Failure]] = {}
        self.internal_errors: list[BaseException] = []

        self._handlers: dict[str, Callable[[_Request], dict[str, Any]]] = {
            "auth.test": self._auth_test,
            "chat.delete": self._chat_delete,
            "chat.getPermalink": self._chat_get_permalink,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "conversations.info": self._conversations_info,
            "conversations.join": self._conversations_join,
            "conversations.open": self._conversations_open,
            "oauth.v2.access": self._oauth_v2_access,
            "reactions.add": self._reactions_add,
            "reactions.remove": self._reactions_remove,
            "users.info": self._users_info,
            "views.open": self._views_open,
            "views.publish": self._views_publish,
            "views.push": self._views_push,
            "views.update": self._views_update,
        }
        assert frozenset(self._handlers) == IMPLEMENTED_METHODS
        self._add_user_locked(
            bot_user_id, bot_name, real_name=bot_name, is_bot=True, tz="UTC", team_id=team_id
        )

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> FakeSlack:
        if self._server is not None:
            return self
        server = _Server((self._host, self._port), self)
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"FakeSlack:{server.server_address[1]}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://host:port`` of the running server (no trailing slash)."""
        if self._server is None:
            raise RuntimeError("FakeSlack is not running; call start() first")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        """Base URL for ``WebClient(base_url=...)``, with a trailing slash."""
        return f"{self.base_url}/api/"

    @property
    def team_domain(self) -> str:
        return _domain(self.team_name)

    # ---------------------------------------------------------------- directory

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        is_admin: bool = False,
        is_owner: bool = False,
        tz: str = "Europe/Berlin",
        is_bot: bool = False,
        real_name: str | None = None,
        display_name: str | None = None,
        email: str | None = None,
        is_primary_owner: bool = False,
    ) -> None:
        with self._lock:
            self._add_user_locked(
                user_id,
                name,
                real_name=real_name,
                display_name=display_name,
                email=email,
                is_admin=is_admin,
                is_owner=is_owner,
                is_primary_owner=is_primary_owner,
                is_bot=is_bot,
                tz=tz,
                team_id=self.team_id,
            )

    def _add_user_locked(
        self,
        user_id: str,
        name: str,
        *,
        real_name: str | None = None,
        display_name: str | None = None,
        email: str | None = None,
        is_admin: bool = False,
        is_owner: bool = False,
        is_primary_owner: bool = False,
        is_bot: bool = False,
        tz: str = "Europe/Berlin",
        team_id: str,
    ) -> None:
        self._users[user_id] = _User(
            id=user_id,
            name=name,
            real_name=real_name if real_name is not None else name,
            display_name=display_name if display_name is not None else name,
            email=email,
            is_admin=is_admin or is_owner or is_primary_owner,
            is_owner=is_owner or is_primary_owner,
            is_primary_owner=is_primary_owner,
            is_bot=is_bot,
            tz=tz,
            team_id=team_id,
        )

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        is_private: bool = False,
        bot_is_member: bool = True,
        is_archived: bool = False,
    ) -> None:
        with self._lock:
            self._channels[channel_id] = _Channel(
                id=channel_id,
                name=name,
                is_private=is_private,
                is_member=bot_is_member,
                is_archived=is_archived,
            )

    def user_name(self, user_id: str) -> str | None:
        with self._lock:
            user = self._users.get(user_id)
            return user.name if user else None

    def channel_name(self, channel_id: str) -> str | None:
        with self._lock:
            channel = self._channels.get(channel_id)
            if channel is None:
                return None
            return "directmessage" if channel.is_im else channel.name

    def channel_type(self, channel_id: str) -> str:
        """The ``channel_type`` Slack puts on message events: channel, group, im or mpim."""
        with self._lock:
            channel = self._channels.get(channel_id)
        if channel is None:
            return {"D": "im", "G": "group"}.get(channel_id[:1], "channel")
        if channel.is_im:
            return "im"
        if channel.is_mpim:
            return "mpim"
        return "group" if channel.is_private else "channel"

    def dm_channel(self, user_id: str) -> str:
        """The bot's DM channel with ``user_id`` (created on first use, like conversations.open)."""
        with self._lock:
            return self._open_dm_locked((user_id,)).id

    # ---------------------------------------------------------------- ids and tokens

    def next_ts(self) -> str:
        """A Slack message ts from the clock, strictly increasing across fake and driver."""
        with self._lock:
            now_us = int(time.time() * 1_000_000)
            self._last_ts_us = max(now_us, self._last_ts_us + 1)
            us = self._last_ts_us
        return f"{us // 1_000_000}.{us % 1_000_000:06d}"

    def new_trigger_id(self) -> str:
        """A trigger_id that views.open / views.push accept once."""
        trigger = f"{secrets.randbelow(10**11):011d}.{secrets.randbelow(10**9):09d}."
        trigger += secrets.token_hex(16)
        with self._lock:
            self._triggers[trigger] = False
        return trigger

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
        return f"{base}/commands/{key}"

    def issue_oauth_code(
        self,
        team_id: str,
        team_name: str | None = None,
        *,
        installer_user_id: str = "U0INSTALLER",
        bot_user_id: str | None = None,
        bot_id: str | None = None,
        scope: str = _DEFAULT_SCOPE,
        redirect_uri: str | None = None,
    ) -> str:
        """A single-use code that oauth.v2.access exchanges for a new bot token of ``team_id``."""
        code = f"{secrets.randbelow(10**12):012d}.{secrets.randbelow(10**12):012d}."
        code += secrets.token_hex(32)
        with self._lock:
            name = team_name or self._teams.get(team_id) or f"Team {team_id}"
            self._teams[team_id] = name
            self._oauth_codes[code] = _OAuthGrant(
                install=_Install(
                    team_id=team_id,
                    team_name=name,
                    bot_user_id=bot_user_id or self.bot_user_id,
                    bot_id=bot_id or self.bot_id,
                    app_id=self.app_id,
                    scope=scope,
                    installer_user_id=installer_user_id,
                ),
                redirect_uri=redirect_uri,
            )
        return code

    def add_token(self, token: str, team_id: str | None = None) -> None:
        """Make the fake accept another bot token (for the default team unless given)."""
        with self._lock:
            team = team_id or self.team_id
            base = self._tokens[self.bot_token]
            self._tokens[token] = _Install(
                team_id=team,
                team_name=self._teams.get(team, team),
                bot_user_id=base.bot_user_id,
                bot_id=base.bot_id,
                app_id=base.app_id,
                scope=base.scope,
                installer_user_id=None,
            )

    # ---------------------------------------------------------------- inspection

    def calls(self, method: str | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 10.0,
        count: int = 1,
    ) -> list[Call]:
        """Poll until ``count`` calls of ``method`` match ``predicate``; return all matches."""
        deadline = time.monotonic() + timeout
        while True:
            matches = [c for c in self.calls(method) if predicate is None or predicate(c)]
            if len(matches) >= count:
                return matches
            if time.monotonic() >= deadline:
                break
            time.sleep(0.01)
        recent = self.calls()[-15:]
        lines = "\n".join(f"  {_summarize_call(c)}" for c in recent) or "  (none)"
        raise AssertionError(
            f"timed out after {timeout}s waiting for {count} {method} call(s)"
            f"{' matching predicate' if predicate else ''}; got {len(matches)}. "
            f"Recent calls:\n{lines}"
        )

    def fail_next(
        self,
        method: str,
        error: str | None = None,
        *,
        status: int = 200,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (or ``"response_url"``) fail.

        ``status=429`` answers ``ratelimited`` with a ``Retry-After`` header (default 1s);
        otherwise the answer is ``{"ok": false, "error": error}`` with the given status.
        """
        if status == 429:
            error = error or "ratelimited"
            retry_after = 1 if retry_after is None else retry_after
        elif error is None:
            raise ValueError("fail_next needs an error unless status=429")
        with self._lock:
            self._failures.setdefault(method, []).append(
                _Failure(error=error, status=status, retry_after=retry_after, remaining=times)
            )

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

    def ephemerals(self, channel: str | None = None, user: str | None = None) -> list[dict]:
        """Ephemeral messages: each {"channel","user","ts","thread_ts","text","blocks"}."""
        with self._lock:
            channel_id = self._lookup_channel_id(channel) if channel else None
            return [
                dict(e)
                for e in self._ephemerals
                if (channel is None or e["channel"] in (channel, channel_id))
                and (user is None or e["user"] == user)
            ]

    def views(self) -> list[dict[str, Any]]:
        """Every view opened, pushed, updated or published (latest state), oldest first."""
        with self._lock:
            return [json.loads(json.dumps(v)) for v in self._views.values()]

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        with self._lock:
            view_id = self._home_views.get(user_id)
            return json.loads(json.dumps(self._views[view_id])) if view_id else None

    def reset(self) -> None:
        """Forget calls, messages, ephemerals, views, reactions and pending failures."""
        with self._lock:
            self._calls.clear()
            self._messages.clear()
            self._ephemerals.clear()
            self._views.clear()
            self._home_views.clear()
            self._reactions.clear()
            self._failures.clear()
            self.internal_errors.clear()

    # ---------------------------------------------------------------- routing

    def _record_internal_error(self, exc: BaseException) -> None:
        with self._lock:
            self.internal_errors.append(exc)

    def _route(self, path: str, headers: Any, body: bytes) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(path)
        if parts.path.startswith("/api/"):
            method = parts.path[len("/api/") :].strip("/")
            return self._handle_api(method, parts.query, headers, body)
        if parts.path.startswith("/commands/"):
            return self._handle_response_url(parts.path[len("/commands/") :], body)
        return 404, {"Content-Type": "text/plain"}, b"not_found"

    def _take_failure(self, method: str) -> _Failure | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        failure.remaining -= 1
        if failure.remaining <= 0:
            queue.pop(0)
        return failure

    def _required_args(self, method: str) -> frozenset[str]:
        from_spec = spec_required_args(self._spec_path)
        if from_spec is not None and method in from_spec:
            return from_spec[method]
        return FALLBACK_REQUIRED_ARGS.get(method, frozenset())

    def _handle_api(
        self, method: str, query: str, headers: Any, body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        args: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
        parse_error: _ApiError | None = None
        try:
            args.update(_parse_body(headers.get("Content-Type", ""), body))
        except _ApiError as exc:
            parse_error = exc

        token = args.pop("token", None)
        basic_auth: tuple[str, str] | None = None
        authorization = headers.get("Authorization", "") or ""
        scheme, _, credentials = authorization.partition(" ")
        if scheme.lower() == "bearer" and credentials.strip():
            token = credentials.strip()
        elif scheme.lower() == "basic":
            try:
                user, _, password = base64.b64decode(credentials).decode().partition(":")
                basic_auth = (user, password)
            except (binascii.Error, UnicodeDecodeError):
                basic_auth = None
        secret_arg = args.pop("client_secret", None)  # never recorded
        if basic_auth is None and "client_id" in args:
            basic_auth = (str(args["client_id"]), str(secret_arg or ""))

        with self._lock:
            call = Call(method=method, args=args, token=token, at=time.time())
            self._calls.append(call)
            status, extra_headers, payload = self._answer(
                method, token, args, basic_auth, parse_error
            )
            call.response = payload
            call.status = status
        return _json_response(payload, status, extra_headers)

    def _answer(
        self,
        method: str,
        token: str | None,
        args: dict[str, Any],
        basic_auth: tuple[str, str] | None,
        parse_error: _ApiError | None,
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        handler = self._handlers.get(method)
        if handler is None:
            return 404, {}, {"ok": False, "error": "unknown_method"}
        install: _Install | None = None
        if method not in _NO_TOKEN_METHODS:
            if not token:
                return 200, {}, {"ok": False, "error": "not_authed"}
            install = self._tokens.get(str(token))
            if install is None:
                return 200, {}, {"ok": False, "error": "invalid_auth"}
        failure = self._take_failure(method)
        if failure is not None:
            headers = {}
            if failure.retry_after is not None:
                headers["Retry-After"] = str(failure.retry_after)
            return failure.status, headers, {"ok": False, "error": failure.error}
        try:
            if parse_error is not None:
                raise parse_error
            self._decode_json_args(args)
            missing = sorted(a for a in self._required_args(method) if _str_arg(args, a) is None)
            if missing:
                raise _ApiError(
                    "invalid_arguments",
                    response_metadata={
                        "messages": [f"[ERROR] missing required field: {a}" for a in missing]
                    },
                )
            result = handler(_Request(method, args, install, basic_auth))
        except _ApiError as exc:
            return exc.status, {}, {"ok": False, "error": exc.error, **exc.extra}
        return 200, {}, {"ok": True, **result}

    @staticmethod
    def _decode_json_args(args: dict[str, Any]) -> None:
        for name in _JSON_ARGS & args.keys():
            value = args[name]
            if isinstance(value, str):
                if value == "":
                    args[name] = None
                    continue
                try:
                    args[name] = json.loads(value)
                except ValueError as exc:
                    error = "invalid_blocks_format" if name == "blocks" else "invalid_arguments"
                    raise _ApiError(error) from exc

    # ---------------------------------------------------------------- helpers (lock held)

    def _lookup_channel_id(self, ref: str | None) -> str | None:
        if not ref:
            return None
        if ref in self._channels:
            return ref
        dm = self._dms.get((ref,))
        if dm:
            return dm
        name = ref.lstrip("#")
        for channel in self._channels.values():
            if not channel.is_im and not channel.is_mpim and channel.name == name:
                return channel.id
        return None

    def _open_dm_locked(self, users: tuple[str, ...]) -> _Channel:
        key = tuple(sorted(users))
        channel_id = self._dms.get(key)
        if channel_id is None:
            prefix = "D" if len(key) == 1 else "G"
            channel_id = _random_id(prefix)
            if len(key) == 1:
                channel = _Channel(id=channel_id, name=key[0], is_im=True, im_user=key[0])
            else:
                channel = _Channel(
                    id=channel_id,
                    name="mpdm-" + "--".join(self._users[u].name for u in key) + "-1",
                    is_private=True,
                    is_mpim=True,
                )
            self._channels[channel_id] = channel
            self._dms[key] = channel_id
        return self._channels[channel_id]

    def _resolve_post_channel(self, ref: str) -> _Channel:
        """A channel for chat.* methods: an id, a #name, or a user id (the bot's DM)."""
        channel_id = self._lookup_channel_id(ref)
        if channel_id is not None:
            return self._channels[channel_id]
        if ref[:1] in ("U", "W") and ref in self._users:
            return self._open_dm_locked((ref,))
        raise _ApiError("channel_not_found")

    def _find_message_locked(self, channel_id: str, ts: str) -> _Message | None:
        for message in self._messages.get(channel_id, []):
            if message.ts == ts:
                return message
        return None

    @staticmethod
    def _message_content(
        args: Mapping[str, Any], *, require: bool = True
    ) -> tuple[str | None, list[dict[str, Any]] | None, list[dict[str, Any]] | None]:
        text = args.get("text")
        text = None if text is None else str(text)
        blocks = args.get("blocks")
        attachments = args.get("attachments")
        if blocks is not None and (
            not isinstance(blocks, list)
            or len(blocks) > _MAX_MESSAGE_BLOCKS
            or not all(isinstance(b, dict) and isinstance(b.get("type"), str) for b in blocks)
        ):
            raise _ApiError("invalid_blocks")
        if attachments is not None and not isinstance(attachments, list):
            raise _ApiError("invalid_attachments")
        if require and not text and not blocks and not attachments:
            raise _ApiError("no_text")
        if text is not None and len(text) > _MAX_TEXT:
            raise _ApiError("msg_too_long")
        return text, blocks, attachments

    def _store_message(
        self,
        channel: _Channel,
        *,
        text: str,
        blocks: list[dict[str, Any]] | None,
        attachments: list[dict[str, Any]] | None,
        thread_ts: str | None,
        user: str,
    ) -> _Message:
        message = _Message(
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

    def _message_json(self, message: _Message, install: _Install) -> dict[str, Any]:
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

    def _auth_test(self, request: _Request) -> dict[str, Any]:
        install = request.install
        assert install is not None
        return {
            "url": f"https://{_domain(install.team_name)}.slack.com/",
            "team": install.team_name,
            "user": self.user_name(install.bot_user_id) or self.bot_name,
            "team_id": install.team_id,
            "user_id": install.bot_user_id,
            "bot_id": install.bot_id,
            "is_enterprise_install": False,
        }

    def _chat_post_message(self, request: _Request) -> dict[str, Any]:
        install = request.install
        assert install is not None
        channel = self._resolve_post_channel(str(request.args["channel"]))
        if channel.is_archived:
            raise _ApiError("is_archived")
        if not channel.is_member:
            raise _ApiError("not_in_channel")
        text, blocks, attachments = self._message_content(request.args)
        message = self._store_message(
            channel,
            text=text or "",
            blocks=blocks,
            attachments=attachments,
            thread_ts=_str_arg(request.args, "thread_ts"),
            user=install.bot_user_id,
        )
        return {
            "channel": channel.id,
            "ts": message.ts,
            "message": self._message_json(message, install),
        }

    def _chat_update(self, request: _Request) -> dict[str, Any]:
        install = request.install
        assert install is not None
        channel_id = self._lookup_channel_id(str(request.args["channel"]))
        if channel_id is None:
            raise _ApiError("channel_not_found")
        message = self._find_message_locked(channel_id, str(request.args["ts"]))
        if message is None:
            raise _ApiError("message_not_found")
        if message.user != install.bot_user_id:
            raise _ApiError("cant_update_message")
        text, blocks, attachments = self._message_content(request.args, require=False)
        if text is not None:
            message.text = text
        if blocks is not None:
            message.blocks = blocks or None
        if attachments is not None:
            message.attachments = attachments or None
        if not message.text and not message.blocks and not message.attachments:
            raise _ApiError("no_text")
        return {
            "channel": channel_id,
            "ts": message.ts,
            "text": message.text,
            "message": self._message_json(message, install),
        }

    def _chat_delete(self, request: _Request) -> dict[str, Any]:
        install = request.install
        assert install is not None
        channel_id = self._lookup_channel_id(_str_arg(request.args, "channel"))
        if channel_id is None:
            raise _ApiError("channel_not_found")
        ts = _str_arg(request.args, "ts")
        message = self._find_message_locked(channel_id, ts) if ts else None
        if message is None:
            raise _ApiError("message_not_found")
        if message.user != install.bot_user_id:
            raise _ApiError("cant_delete_message")
        self._messages[channel_id].remove(message)
        return {"channel": channel_id, "ts": message.ts}

    def _chat_post_ephemeral(self, request: _Request) -> dict[str, Any]:
        channel = self._resolve_post_channel(str(request.args["channel"]))
        if channel.is_archived:
            raise _ApiError("is_archived")
        user = str(request.args["user"])
        if user not in self._users:
            raise _ApiError("user_not_in_channel")
        text, blocks, _attachments = self._message_content(request.args)
        ts = self.next_ts()
        self._ephemerals.append(
            {
                "channel": channel.id,
                "user": user,
                "ts": ts,
                "thread_ts": _str_arg(request.args, "thread_ts"),
                "text": text or "",
                "blocks": blocks,
            }
        )
        return {"message_ts": ts}

    def _chat_get_permalink(self, request: _Request) -> dict[str, Any]:
        channel_id = self._lookup_channel_id(str(request.args["channel"]))
        if channel_id is None:
            raise _ApiError("channel_not_found")
        ts = str(request.args["message_ts"])
        domain = self.team_domain
        permalink = f"https://{domain}.slack.com/archives/{channel_id}/p{ts.replace('.', '')}"
        message = self._find_message_locked(channel_id, ts)
        if message is not None and message.thread_ts and message.thread_ts != ts:
            permalink += f"?thread_ts={message.thread_ts}&cid={channel_id}"
        return {"channel": channel_id, "permalink": permalink}

    def _users_info(self, request: _Request) -> dict[str, Any]:
        user = self._users.get(_str_arg(request.args, "user") or "")
        if user is None:
            raise _ApiError("user_not_found")
        try:
            zone = ZoneInfo(user.tz)
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("UTC")
        now = datetime.now(UTC).astimezone(zone)
        offset = now.utcoffset()
        profile: dict[str, Any] = {
            "display_name": user.display_name,
            "display_name_normalized": user.display_name,
            "real_name": user.real_name,
            "real_name_normalized": user.real_name,
            "team": user.team_id,
        }
        if user.email:
            profile["email"] = user.email
        return {
            "user": {
                "id": user.id,
                "team_id": user.team_id,
                "name": user.name,
                "deleted": False,
                "real_name": user.real_name,
                "tz": user.tz,
                "tz_label": now.tzname() or user.tz,
                "tz_offset": int(offset.total_seconds()) if offset else 0,
                "is_admin": user.is_admin,
                "is_owner": user.is_owner,
                "is_primary_owner": user.is_primary_owner,
                "is_restricted": False,
                "is_ultra_restricted": False,
                "is_bot": user.is_bot,
                "is_app_user": False,
                "updated": int(time.time()),
                "profile": profile,
            }
        }

    def _channel_json(self, channel: _Channel) -> dict[str, Any]:
        if channel.is_im:
            return {
                "id": channel.id,
                "created": channel.created,
                "is_im": True,
                "is_org_shared": False,
                "user": channel.im_user,
                "is_user_deleted": False,
                "priority": 0,
            }
        return {
            "id": channel.id,
            "name": channel.name,
            "name_normalized": channel.name,
            "is_channel": not channel.is_mpim,
            "is_group": False,
            "is_im": False,
            "is_mpim": channel.is_mpim,
            "is_private": channel.is_private,
            "created": channel.created,
            "is_archived": channel.is_archived,
            "is_general": channel.name == "general",
            "is_member": channel.is_member,
            "is_shared": False,
            "is_ext_shared": False,
            "is_org_shared": False,
            "context_team_id": self.team_id,
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
        }

    def _conversations_info(self, request: _Request) -> dict[str, Any]:
        channel = self._channels.get(_str_arg(request.args, "channel") or "")
        if channel is None:
            raise _ApiError("channel_not_found")
        return {"channel": self._channel_json(channel)}

    def _conversations_join(self, request: _Request) -> dict[str, Any]:
        channel = self._channels.get(_str_arg(request.args, "channel") or "")
        if channel is None:
            raise _ApiError("channel_not_found")
        if channel.is_private or channel.is_im or channel.is_mpim:
            raise _ApiError("method_not_supported_for_channel_type")
        if channel.is_archived:
            raise _ApiError("is_archived")
        result: dict[str, Any] = {}
        if channel.is_member:
            result["warning"] = "already_in_channel"
            result["response_metadata"] = {"warnings": ["already_in_channel"]}
        channel.is_member = True
        return {"channel": self._channel_json(channel), **result}

    def _conversations_open(self, request: _Request) -> dict[str, Any]:
        channel_id = _str_arg(request.args, "channel")
        if channel_id is not None:
            channel = self._channels.get(channel_id)
            if channel is None or not (channel.is_im or channel.is_mpim):
                raise _ApiError("channel_not_found")
        else:
            users = [u.strip() for u in str(request.args.get("users") or "").split(",") if u]
            if not users:
                raise _ApiError("users_list_not_supplied")
            if len(users) > 8:
                raise _ApiError("too_many_users")
            for user in users:
                if user not in self._users:
                    raise _ApiError("user_not_found")
            channel = self._open_dm_locked(tuple(users))
        if _is_true(request.args.get("return_im")):
            return {"channel": self._channel_json(channel)}
        return {"channel": {"id": channel.id}}

    def _reaction_target(self, request: _Request) -> tuple[str, str, str]:
        name = str(request.args["name"]).strip(":")
        channel_ref = _str_arg(request.args, "channel")
        timestamp = _str_arg(request.args, "timestamp")
        if channel_ref is None or timestamp is None:
            raise _ApiError("no_item_specified")
        channel_id = self._lookup_channel_id(channel_ref)
        if channel_id is None:
            raise _ApiError("channel_not_found")
        return channel_id, timestamp, name

    def _reactions_add(self, request: _Request) -> dict[str, Any]:
        assert request.install is not None
        key = (*self._reaction_target(request), request.install.bot_user_id)
        if key in self._reactions:
            raise _ApiError("already_reacted")
        self._reactions.add(key)
        return {}

    def _reactions_remove(self, request: _Request) -> dict[str, Any]:
        assert request.install is not None
        key = (*self._reaction_target(request), request.install.bot_user_id)
        if key not in self._reactions:
            raise _ApiError("no_reaction")
        self._reactions.discard(key)
        return {}

    def _validate_view(self, view: Any, *, home: bool) -> dict[str, Any]:
        def invalid(message: str) -> _ApiError:
            return _ApiError(
                "invalid_arguments", response_metadata={"messages": [f"[ERROR] {message}"]}
            )

        if not isinstance(view, dict):
            raise invalid("failed to match all allowed schemas [json-pointer:/view]")
        view_type = view.get("type")
        if home and view_type != "home":
            raise invalid("must be home [json-pointer:/view/type]")
        if not home and view_type != "modal":
            raise invalid("must be modal [json-pointer:/view/type]")
        blocks = view.get("blocks")
        if not isinstance(blocks, list) or not all(
            isinstance(b, dict) and isinstance(b.get("type"), str) for b in blocks
        ):
            raise invalid("must provide an array [json-pointer:/view/blocks]")
        if len(blocks) > _MAX_VIEW_BLOCKS:
            raise invalid("no more than 100 items allowed [json-pointer:/view/blocks]")
        if not home:
            title = view.get("title")
            if not isinstance(title, dict) or not title.get("text"):
                raise invalid("must provide an object [json-pointer:/view/title]")
            if len(str(title["text"])) > 24:
                raise invalid("must be less than 25 characters [json-pointer:/view/title/text]")
        return view

    def _store_view(
        self,
        install: _Install,
        view: dict[str, Any],
        *,
        view_id: str | None = None,
        root_view_id: str | None = None,
        previous_view_id: str | None = None,
    ) -> dict[str, Any]:
        view_id = view_id or _random_id("V")
        stored = {
            "id": view_id,
            "team_id": install.team_id,
            "type": view["type"],
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "title": view.get("title"),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "close": view.get("close"),
            "submit": view.get("submit"),
            "previous_view_id": previous_view_id,
            "root_view_id": root_view_id or view_id,
            "app_id": install.app_id,
            "external_id": view.get("external_id", ""),
            "app_installed_team_id": install.team_id,
            "bot_id": install.bot_id,
        }
        self._views.pop(view_id, None)  # keep insertion order == last change
        self._views[view_id] = stored
        return stored

    def _consume_trigger(self, request: _Request) -> None:
        trigger = str(request.args["trigger_id"])
        if trigger not in self._triggers:
            raise _ApiError("invalid_trigger_id")
        if self._triggers[trigger]:
            raise _ApiError("exchanged_trigger_id")
        self._triggers[trigger] = True

    def _views_open(self, request: _Request) -> dict[str, Any]:
        assert request.install is not None
        view = self._validate_view(request.args["view"], home=False)
        self._consume_trigger(request)
        return {"view": self._store_view(request.install, view)}

    def _views_push(self, request: _Request) -> dict[str, Any]:
        assert request.install is not None
        view = self._validate_view(request.args["view"], home=False)
        self._consume_trigger(request)
        return {"view": self._store_view(request.install, view)}

    def _views_publish(self, request: _Request) -> dict[str, Any]:
        assert request.install is not None
        user_id = str(request.args["user_id"])
        if user_id not in self._users:
            raise _ApiError("user_not_found")
        view = self._validate_view(request.args["view"], home=True)
        existing = self._home_views.get(user_id)
        self._check_hash(existing, request.args.get("hash"))
        stored = self._store_view(request.install, view, view_id=existing)
        self._home_views[user_id] = stored["id"]
        return {"view": stored}

    def _check_hash(self, view_id: str | None, expected: Any) -> None:
        if expected and view_id and self._views[view_id]["hash"] != expected:
            raise _ApiError("hash_conflict")

    def _views_update(self, request: _Request) -> dict[str, Any]:
        assert request.install is not None
        view_id = _str_arg(request.args, "view_id")
        external_id = _str_arg(request.args, "external_id")
        if view_id is None and external_id is None:
            raise _ApiError(
                "invalid_arguments",
                response_metadata={"messages": ["[ERROR] either view_id or external_id required"]},
            )
        if view_id is None:
            view_id = next(
                (v["id"] for v in self._views.values() if v["external_id"] == external_id), None
            )
        if view_id is None or view_id not in self._views:
            raise _ApiError("not_found")
        current = self._views[view_id]
        view = self._validate_view(request.args.get("view"), home=current["type"] == "home")
        self._check_hash(view_id, request.args.get("hash"))
        stored = self._store_view(
            request.install,
            view,
            view_id=view_id,
            root_view_id=current["root_view_id"],
            previous_view_id=current["previous_view_id"],
        )
        return {"view": stored}

    def _oauth_v2_access(self, request: _Request) -> dict[str, Any]:
        if request.basic_auth is None or not request.basic_auth[0]:
            raise _ApiError("invalid_client_id")
        client_id, client_secret = request.basic_auth
        if self.client_id is not None and client_id != self.client_id:
            raise _ApiError("invalid_client_id")
        if not client_secret or (
            self.client_secret is not None and client_secret != self.client_secret
        ):
            raise _ApiError("bad_client_secret")
        grant = self._oauth_codes.get(str(request.args["code"]))
        if grant is None:
            raise _ApiError("invalid_code")
        redirect_uri = _str_arg(request.args, "redirect_uri")
        if grant.redirect_uri is not None and redirect_uri != grant.redirect_uri:
            raise _ApiError("bad_redirect_uri")
        del self._oauth_codes[str(request.args["code"])]
        install = grant.install
        token = f"xoxb-{secrets.randbelow(10**12):012d}-{secrets.randbelow(10**13):013d}-"
        token += "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(24))
        self._tokens[token] = install
        if install.bot_user_id not in self._users:
            self._add_user_locked(
                install.bot_user_id,
                self.bot_name,
                is_bot=True,
                tz="UTC",
                team_id=install.team_id,
            )
        return {
            "app_id": install.app_id,
            "authed_user": {"id": install.installer_user_id},
            "scope": install.scope,
            "token_type": "bot",
            "access_token": token,
            "bot_user_id": install.bot_user_id,
            "team": {"id": install.team_id, "name": install.team_name},
            "enterprise": None,
            "is_enterprise_install": False,
        }

    # ---------------------------------------------------------------- response_url

    def _handle_response_url(self, key: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        text_plain = {"Content-Type": "text/plain; charset=utf-8"}
        with self._lock:
            binding = self._response_urls.get(key)
            if binding is None:
                return 404, text_plain, b"no_service"
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
            failure = self._take_failure("response_url")
            if failure is not None:
                call.status = failure.status
                headers = dict(text_plain)
                if failure.retry_after is not None:
                    headers["Retry-After"] = str(failure.retry_after)
                return failure.status, headers, failure.error.encode()
            if not isinstance(payload, dict):
                call.status = 400
                return 400, text_plain, b"invalid_payload"
            self._apply_response_url(binding, payload)
        return 200, text_plain, b"ok"

    def _apply_response_url(self, binding: _ResponseUrl, payload: dict[str, Any]) -> None:
        if binding.channel is None:
            return
        channel_id = self._lookup_channel_id(binding.channel) or binding.channel
        original = (
            self._find_message_locked(channel_id, binding.message_ts)
            if binding.message_ts
            else None
        )
        if _is_true(payload.get("delete_original")):
            if original is not None:
                self._messages[channel_id].remove(original)
            return
        text = payload.get("text")
        blocks = payload.get("blocks")
        if _is_true(payload.get("replace_original")) and original is not None:
            original.text = "" if text is None else str(text)
            original.blocks = blocks
            return
        if payload.get("response_type") == "in_channel":
            channel = self._channels.get(channel_id) or _Channel(id=channel_id, name=channel_id)
            self._store_message(
                channel,
                text="" if text is None else str(text),
                blocks=blocks,
                attachments=payload.get("attachments"),
                thread_ts=_str_arg(payload, "thread_ts"),
                user=self.bot_user_id,
            )
            return
        self._ephemerals.append(
            {
                "channel": channel_id,
                "user": binding.user,
                "ts": self.next_ts(),
                "thread_ts": _str_arg(payload, "thread_ts"),
                "text": "" if text is None else str(text),
                "blocks": blocks,
            }
        )


def _summarize_call(call: Call) -> str:
    args = json.dumps(call.args, default=str)
    if len(args) > 160:
        args = args[:157] + "..."
    outcome = ""
    if call.response is not None:
        outcome = " -> ok" if call.response.get("ok") else f" -> {call.response.get('error')}"
    return f"{call.method} {args}{outcome}"
