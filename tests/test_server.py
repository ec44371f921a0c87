"""The HTTP front door: oversized or unsigned requests are turned away before their body is
read, and nothing a request carries can forge a log line or leak a token."""

from __future__ import annotations

import http.client
import io
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine
from waitress.server import create_server

from bot.logs import AtMostEvery, KeyValueFormatter
from bot.server import MAX_BODY, make_wsgi, refuse_early, server_options


class Untouchable(io.RawIOBase):
    """A request body that fails the test if anyone reads it."""

    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the body was read")

    def readable(self) -> bool:
        return True


def environ(**overrides: Any) -> dict[str, Any]:
    base = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "CONTENT_LENGTH": "20",
        "HTTP_X_SLACK_SIGNATURE": "v0=abc",
        "HTTP_X_SLACK_REQUEST_TIMESTAMP": str(int(time.time())),
        "wsgi.input": Untouchable(),
    }
    return {**base, **overrides}


def call(env: dict[str, Any]) -> tuple[str, bytes]:
    statuses: list[str] = []

    def bolt(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        raise AssertionError("Bolt must not see this request")

    app = make_wsgi(bolt, create_engine("sqlite://"))  # type: ignore[arg-type]  # a stand-in for Bolt's handler
    body = b"".join(app(env, lambda status, headers, *a: statuses.append(status)))
    return statuses[0], body


@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({"CONTENT_LENGTH": str(150 * 1024 * 1024)}, "413"),
        ({"CONTENT_LENGTH": "twelve"}, "400"),
        ({"HTTP_X_SLACK_SIGNATURE": ""}, "401"),
        ({"HTTP_X_SLACK_REQUEST_TIMESTAMP": ""}, "401"),
        ({"HTTP_X_SLACK_REQUEST_TIMESTAMP": str(int(time.time()) - 3600)}, "401"),
        ({"HTTP_X_SLACK_REQUEST_TIMESTAMP": "99999999999"}, "401"),
    ],
    ids=["150-MiB", "bad-length", "no-signature", "no-timestamp", "an-hour-old", "far-future"],
)
def test_refused_without_reading_the_body(overrides: dict[str, Any], status: str) -> None:
    got, _ = call(environ(**overrides))
    assert got.startswith(status)


def test_a_fresh_signed_request_goes_on_to_bolt_which_checks_the_signature() -> None:
    assert refuse_early(environ()) is None
    assert refuse_early(environ(PATH_INFO="/slack/install", REQUEST_METHOD="GET")) is None


@pytest.fixture
def server_port() -> Iterator[int]:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [environ["wsgi.input"].read()]

    server = create_server(app, host="127.0.0.1", port=0, **server_options())
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield int(server.effective_port)  # type: ignore[union-attr]  # a single-socket server
    server.close()


def test_the_server_refuses_a_chunked_body_over_the_cap(server_port: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server_port, timeout=10)
    connection.putrequest("POST", "/slack/events")
    connection.putheader("Transfer-Encoding", "chunked")
    connection.endheaders()
    chunk = b"x" * 65536
    try:
        for _ in range(MAX_BODY // len(chunk) + 2):
            connection.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        connection.send(b"0\r\n\r\n")
    except OSError:
        pass  # the server may close the connection as soon as the cap is passed
    assert connection.getresponse().status == 413


def log_line(message: str, **fields: object) -> str:
    record = logging.LogRecord("bot.http", logging.INFO, __file__, 1, message, None, None)
    for key, value in fields.items():
        setattr(record, key, value)
    return KeyValueFormatter().format(record)


def test_waitress_queue_warnings_are_one_line_in_ten_seconds_not_one_per_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = {"now": 1000.0}
    monkeypatch.setattr("bot.logs.time.monotonic", lambda: clock["now"])
    limiter = AtMostEvery(10.0)
    warning = logging.LogRecord("waitress.queue", logging.WARNING, "", 1, "depth", None, None)
    passed = []
    for _ in range(50):  # a burst: a warning for every request queued, 10 ms apart
        passed.append(limiter.filter(warning))
        clock["now"] += 0.01
    clock["now"] += 10
    passed.append(limiter.filter(warning))
    assert passed.count(True) == 2 and passed[0] and passed[-1]


def test_a_path_with_a_newline_cannot_forge_a_log_line() -> None:
    line = log_line("request", path="/slack/events\n2026-01-01T00:00:00 INFO bot: admin login")
    assert "\n" not in line and "\\n2026-01-01" in line


@pytest.mark.parametrize(
    "token",
    ["xoxb-1-abc", "xoxp-2-def", "xoxe-1-refresh", "xoxe.xoxp-1-rotating", "xapp-1-A1-xyz"],
)
def test_tokens_are_redacted_in_messages_and_fields(token: str) -> None:
    line = log_line(f"calling with {token}", header=f"Bearer {token}")
    assert token not in line and "[redacted]" in line
