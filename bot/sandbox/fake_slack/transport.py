"""HTTP plumbing of the fake: a threaded stdlib server, and request bodies decoded like Slack."""

from __future__ import annotations

import email.parser
import email.policy
import json
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from bot.sandbox.fake_slack.records import ApiError, DroppedConnection, HttpAnswer

if TYPE_CHECKING:
    from bot.sandbox.fake_slack.server import FakeSlackServer

JSON_CONTENT = {"Content-Type": "application/json; charset=utf-8"}
TEXT_CONTENT = {"Content-Type": "text/plain; charset=utf-8"}


class FakeHttpServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], fake: FakeSlackServer) -> None:
        self.fake = fake
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:  # pragma: no cover
        # Client disconnects and the like: stay quiet.
        pass


class _Handler(BaseHTTPRequestHandler):
    server: FakeHttpServer
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
        except DroppedConnection:
            self.close_connection = True  # no status line, no body: the client sees a reset
            return
        except Exception as exc:  # a bug in the fake: answer like Slack's fatal_error
            fake._record_internal_error(exc)
            status, headers = 500, dict(JSON_CONTENT)
            payload = json.dumps({"ok": False, "error": "fatal_error"}).encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def json_response(
    payload: Mapping[str, Any], status: int = 200, headers: Mapping[str, str] | None = None
) -> HttpAnswer:
    return status, {**JSON_CONTENT, **(headers or {})}, json.dumps(payload).encode()


def parse_body(content_type: str, body: bytes) -> dict[str, Any]:
    """Decode a JSON, form-encoded or multipart body into a dict; raise ApiError if invalid.

    Multipart parts that carry a filename decode to bytes, other parts to str.
    """
    if not body:
        return {}
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime == "application/json":
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ApiError("invalid_json") from exc
        if not isinstance(data, dict):
            raise ApiError("json_not_object")
        return data
    if mime == "multipart/form-data":
        parser = email.parser.BytesParser(policy=email.policy.HTTP)
        message = parser.parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
        )
        if not message.is_multipart():
            raise ApiError("invalid_form_data")
        result: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not name:
                continue
            payload = part.get_payload(decode=True)
            data_bytes = payload if isinstance(payload, bytes) else b""
            if part.get_filename():
                result[str(name)] = data_bytes
            else:
                result[str(name)] = data_bytes.decode(part.get_content_charset() or "utf-8")
        return result
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError as exc:
        raise ApiError("invalid_charset") from exc
