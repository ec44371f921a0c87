"""The fake's core: lifecycle, routing, authentication, recording, failure injection and the
check of every call against the required arguments of Slack's OpenAPI spec.

The API families (chat, views, ...) are mixins on :class:`FakeSlackServer`; each adds its state
in ``_init_state``, its methods in ``_api_methods``, its non-API URLs in ``_route_other`` and
forgets its records in ``_reset_locked``, calling ``super()`` so that every family takes part.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
import time
from collections.abc import Callable
from email.message import Message as EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

from bot.sandbox.fake_slack.limits import Rate, RateLimit
from bot.sandbox.fake_slack.records import (
    DEFAULT_SCOPE,
    ApiError,
    ApiRequest,
    Call,
    DroppedConnection,
    Failure,
    Handler,
    HttpAnswer,
    Install,
    domain,
    str_arg,
)
from bot.sandbox.fake_slack.spec import required_args_for
from bot.sandbox.fake_slack.transport import TEXT_CONTENT, FakeHttpServer, json_response, parse_body

# Methods that authenticate with client credentials instead of a token.
_NO_TOKEN_METHODS = frozenset({"oauth.v2.access"})
# Arguments that are JSON documents; form-encoded requests carry them as JSON strings.
_JSON_ARGS = frozenset({"blocks", "attachments", "view", "metadata"})


def _summarize_call(call: Call) -> str:
    args = json.dumps(call.args, default=str)
    if len(args) > 160:
        args = args[:157] + "..."
    outcome = ""
    if call.response is not None:
        outcome = " -> ok" if call.response.get("ok") else f" -> {call.response.get('error')}"
    return f"{call.method} {args}{outcome}"


class FakeSlackServer:
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

        self._lock = threading.RLock()
        self._server: FakeHttpServer | None = None
        self._thread: threading.Thread | None = None
        self._last_ts_us = 0
        self._counter = 0

        self._teams: dict[str, str] = {team_id: team_name}
        self._tokens: dict[str, Install] = {
            bot_token: Install(
                team_id=team_id,
                team_name=team_name,
                bot_user_id=bot_user_id,
                bot_id=bot_id,
                app_id=app_id,
                scope=DEFAULT_SCOPE,
                installer_user_id=None,
            )
        }
        self._revoked_tokens: set[str] = set()  # uninstalled: answered token_revoked
        self._calls: list[Call] = []
        self._failures: dict[str, list[Failure]] = {}
        self._drops: dict[str, int] = {}  # method -> how many more answers to drop
        self._latency = 0.0  # seconds every API answer waits (see slow_down)
        self._rate_limits: dict[str, RateLimit] = {}
        self.internal_errors: list[BaseException] = []

        self._init_state()
        self._handlers: dict[str, Handler] = self._api_methods()
        # Loaded now, so that a missing spec stops the fake before any test talks to it.
        self._required_args = required_args_for(frozenset(self._handlers), spec_path)

    # ---------------------------------------------------------------- family hooks

    def _init_state(self) -> None:
        """Create a family's state (runs at the end of __init__, before the handlers)."""

    def _api_methods(self) -> dict[str, Handler]:
        """Web API method name -> handler, called with the lock held."""
        return {}

    def _route_other(self, path: str, headers: EmailMessage, body: bytes) -> HttpAnswer | None:
        """Answer a non-``/api/`` URL this family serves, or None."""
        return None

    def _reset_locked(self) -> None:
        """Forget a family's records (see :meth:`reset`)."""
        self._calls.clear()
        self._failures.clear()
        self._drops.clear()
        self.internal_errors.clear()

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> Self:
        if self._server is not None:
            return self
        server = FakeHttpServer((self._host, self._port), self)
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

    def __enter__(self) -> Self:
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
        host_text = host.decode() if isinstance(host, bytes) else host
        return f"http://{host_text}:{port}"

    @property
    def api_url(self) -> str:
        """Base URL for ``WebClient(base_url=...)``, with a trailing slash."""
        return f"{self.base_url}/api/"

    @property
    def team_domain(self) -> str:
        return domain(self.team_name)

    def next_ts(self) -> str:
        """A Slack message ts from the clock, strictly increasing across fake and driver."""
        with self._lock:
            now_us = int(time.time() * 1_000_000)
            self._last_ts_us = max(now_us, self._last_ts_us + 1)
            us = self._last_ts_us
        return f"{us // 1_000_000}.{us % 1_000_000:06d}"

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
        """Make the next ``times`` calls of ``method`` fail.

        ``method`` is a Web API method, or ``"response_url"`` / ``"upload_url"`` for the URLs
        the fake hands out. ``status=429`` answers ``ratelimited`` with a ``Retry-After``
        header (default 1s); otherwise the answer is ``{"ok": false, "error": error}`` (plain
        ``error`` text for the two URLs) with the given status.
        """
        if status == 429:
            error = error or "ratelimited"
            retry_after = 1 if retry_after is None else retry_after
        elif error is None:
            raise ValueError("fail_next needs an error unless status=429")
        with self._lock:
            self._failures.setdefault(method, []).append(
                Failure(error=error, status=status, retry_after=retry_after, remaining=times)
            )

    def slow_down(self, seconds: float) -> None:
        """Answer every Web API call ``seconds`` after it arrives, as a far-away Slack does
        (calls still run in parallel: each waits in its own request thread)."""
        with self._lock:
            self._latency = max(0.0, seconds)

    def limit_rate(
        self,
        method: str,
        *,
        per_workspace: Rate | None = None,
        per_channel: Rate | None = None,
    ) -> None:
        """Answer ``method`` with HTTP 429 ``ratelimited`` and a ``Retry-After`` (whole
        seconds) once a workspace (the token's team) or one of its channels goes past its rate.
        A refused call spends nothing. Survives :meth:`reset`."""
        with self._lock:
            self._rate_limits[method] = RateLimit(method, per_workspace, per_channel)

    def reset(self) -> None:
        """Forget calls, messages, ephemerals, views, uploads and pending failures.

        Users, channels, tokens and issued ids (triggers, response URLs) survive.
        """
        with self._lock:
            self._reset_locked()

    # ---------------------------------------------------------------- routing

    def _record_internal_error(self, exc: BaseException) -> None:
        with self._lock:
            self.internal_errors.append(exc)

    def _route(self, path: str, headers: EmailMessage, body: bytes) -> HttpAnswer:
        parts = urlsplit(path)
        if parts.path.startswith("/api/"):
            method = parts.path[len("/api/") :].strip("/")
            return self._handle_api(method, parts.query, headers, body)
        answer = self._route_other(parts.path, headers, body)
        if answer is not None:
            return answer
        return 404, {"Content-Type": "text/plain"}, b"not_found"

    def drop_next(self, method: str, times: int = 1) -> None:
        """Do the next ``times`` calls of ``method`` (a post lands, a file is shared), then close
        the connection without answering: what a client sees when the network drops after Slack
        accepted the request."""
        with self._lock:
            self._drops[method] = self._drops.get(method, 0) + times

    def _take_failure(self, method: str) -> Failure | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        failure.remaining -= 1
        if failure.remaining <= 0:
            queue.pop(0)
        return failure

    def _text_failure(self, call: Call) -> HttpAnswer | None:
        """An injected failure for a non-API URL (response_url, upload_url), as plain text."""
        failure = self._take_failure(call.method)
        if failure is None:
            return None
        call.status = failure.status
        headers = dict(TEXT_CONTENT)
        if failure.retry_after is not None:
            headers["Retry-After"] = str(failure.retry_after)
        return failure.status, headers, failure.error.encode()

    def _handle_api(
        self, method: str, query: str, headers: EmailMessage, body: bytes
    ) -> HttpAnswer:
        args: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
        parse_error: ApiError | None = None
        try:
            args.update(parse_body(headers.get("Content-Type", ""), body))
        except ApiError as exc:
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
            if self._drops.get(method):
                self._drops[method] -= 1
                call.status = 0  # no answer reached the client
                raise DroppedConnection(method)
            latency = self._latency
        if latency:
            time.sleep(latency)
        return json_response(payload, status, extra_headers)

    def _answer(
        self,
        method: str,
        token: str | None,
        args: dict[str, Any],
        basic_auth: tuple[str, str] | None,
        parse_error: ApiError | None,
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        handler = self._handlers.get(method)
        if handler is None:
            return 404, {}, {"ok": False, "error": "unknown_method"}
        install: Install | None = None
        if method not in _NO_TOKEN_METHODS:
            if not token:
                return 200, {}, {"ok": False, "error": "not_authed"}
            install = self._tokens.get(str(token))
            if install is None:
                error = "token_revoked" if str(token) in self._revoked_tokens else "invalid_auth"
                return 200, {}, {"ok": False, "error": error}
        limit = self._rate_limits.get(method)
        if limit is not None and install is not None:
            channel = str_arg(args, "channel")
            retry_after = limit.take(install.team_id, channel, time.monotonic())
            if retry_after is not None:
                return 429, {"Retry-After": str(retry_after)}, {"ok": False, "error": "ratelimited"}
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
            missing = sorted(a for a in self._required_args[method] if str_arg(args, a) is None)
            if missing:
                raise ApiError(
                    "invalid_arguments",
                    response_metadata={
                        "messages": [f"[ERROR] missing required field: {a}" for a in missing]
                    },
                )
            result = handler(ApiRequest(method, args, install, basic_auth))
        except ApiError as exc:
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
                    raise ApiError(error) from exc
