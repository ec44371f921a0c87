"""Socket Mode end to end: the real bot process (`python -m bot` with SLACK_APP_TOKEN) opens a
websocket to a stand-in for Slack's Socket Mode server, takes a slash command and a thread answer
over it, acknowledges each envelope, and answers through the fake Slack's Web API; `/healthz`
still answers on PORT, and `/slack/events` does not.

Slack's side is two small stand-ins here: `apps.connections.open` (answered by a proxy in front
of the fake Slack, which forwards every other method to it) and the websocket server it points
to, speaking RFC 6455 framing as Slack does."""

from __future__ import annotations

import base64
import hashlib
import json
import signal
import socket
import struct
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.process import ADMIN, ALICE, CHANNEL, BotProcess, eventually
from tests.helpers import top_level

APP_TOKEN = "xapp-1-A0APP-1-e2e"
_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455's handshake constant


class SocketModeServer:
    """Slack's end of the websocket: sends envelopes, records what the bot sends back, answers
    pings."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"ws://127.0.0.1:{self.listener.getsockname()[1]}/link"
        self.received: list[dict[str, Any]] = []
        self.connections: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = conn.recv(4096)
            if not chunk:
                return
            request += chunk
        headers = dict(
            line.split(": ", 1) for line in request.decode().split("\r\n")[1:] if ": " in line
        )
        accept = base64.b64encode(
            hashlib.sha1((headers["Sec-WebSocket-Key"] + _GUID).encode()).digest()
        ).decode()
        conn.sendall(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + f"Sec-WebSocket-Accept: {accept}\r\n\r\n".encode()
        )
        with self._lock:
            self.connections.append(conn)
        self._frame(conn, 0x1, json.dumps({"type": "hello"}).encode())
        try:
            while True:
                opcode, payload = self._read_frame(conn)
                if opcode == 0x1:
                    with self._lock:
                        self.received.append(json.loads(payload))
                elif opcode == 0x9:  # ping -> pong with the same payload
                    self._frame(conn, 0xA, payload)
                elif opcode == 0x8:
                    return
        except (OSError, ConnectionError):
            return

    @staticmethod
    def _read_exactly(conn: socket.socket, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = conn.recv(n - len(data))
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        return data

    def _read_frame(self, conn: socket.socket) -> tuple[int, bytes]:
        first, second = self._read_exactly(conn, 2)
        length = second & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", self._read_exactly(conn, 2))
        elif length == 127:
            (length,) = struct.unpack("!Q", self._read_exactly(conn, 8))
        mask = self._read_exactly(conn, 4) if second & 0x80 else b"\0\0\0\0"
        payload = self._read_exactly(conn, length)
        return first & 0x0F, bytes(b ^ mask[i % 4] for i, b in enumerate(payload))

    @staticmethod
    def _frame(conn: socket.socket, opcode: int, payload: bytes) -> None:
        n = len(payload)
        if n < 126:
            header = struct.pack("!BB", 0x80 | opcode, n)
        elif n < 65536:
            header = struct.pack("!BBH", 0x80 | opcode, 126, n)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 127, n)
        conn.sendall(header + payload)

    def send(self, envelope: dict[str, Any]) -> None:
        with self._lock:
            conn = self.connections[-1]
        self._frame(conn, 0x1, json.dumps(envelope).encode())

    def acks(self) -> list[str]:
        with self._lock:
            return [m["envelope_id"] for m in self.received if "envelope_id" in m]

    def close(self) -> None:
        self.listener.close()
        with self._lock:
            for conn in self.connections:
                conn.close()


class WebApi:
    """In front of the fake Slack: answers apps.connections.open with the websocket's URL (for
    the app-level token only) and forwards every other Web API call to the fake."""

    def __init__(self, fake: FakeSlack, websocket_url: str) -> None:
        upstream = fake.api_url.rstrip("/")

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                method = self.path.split("/api/", 1)[-1].split("?")[0]
                if method == "apps.connections.open":
                    authorized = self.headers.get("Authorization") == f"Bearer {APP_TOKEN}"
                    answer = (
                        {"ok": True, "url": websocket_url}
                        if authorized
                        else {
                            "ok": False,
                            "error": "invalid_auth",
                        }
                    )
                    self._reply(200, json.dumps(answer).encode(), "application/json")
                    return
                forwarded = urllib.request.Request(
                    f"{upstream}/{method}",
                    data=body,
                    method="POST",
                    headers={
                        k: v
                        for k, v in self.headers.items()
                        if k.lower() in ("content-type", "authorization")
                    },
                )
                try:
                    with urllib.request.urlopen(forwarded, timeout=10) as resp:
                        status, data = resp.status, resp.read()
                        kind = resp.headers.get("Content-Type", "application/json")
                except urllib.error.HTTPError as exc:
                    status, data = exc.code, exc.read()
                    kind = exc.headers.get("Content-Type", "application/json")
                self._reply(status, data, kind)

            def _reply(self, status: int, data: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def websocket() -> Iterator[SocketModeServer]:
    server = SocketModeServer()
    yield server
    server.close()


@pytest.fixture
def socket_bot(
    fake: FakeSlack, tmp_path: Path, websocket: SocketModeServer
) -> Iterator[BotProcess]:
    api = WebApi(fake, websocket.url)
    process = BotProcess(
        fake, tmp_path, SLACK_APP_TOKEN=APP_TOKEN, SLACK_SIGNING_SECRET="", SLACK_API_URL=api.url
    )
    process.start()  # returns once GET /healthz answers 200 on PORT
    yield process
    process.stop()
    api.close()


def _slash_command(fake: FakeSlack, text: str, user: str) -> dict[str, Any]:
    driver = SlackDriver("http://unused", "unused", fake)
    fields: dict[str, str] = {}
    driver._send_form = fields.update  # type: ignore[assignment,method-assign]
    driver.command(text, user=user, channel=CHANNEL)
    return fields


def test_the_bot_runs_over_the_websocket_and_still_serves_healthz(
    socket_bot: BotProcess, websocket: SocketModeServer, fake: FakeSlack
) -> None:
    eventually(lambda: websocket.connections, timeout=15)

    websocket.send(
        {
            "envelope_id": "env-command",
            "type": "slash_commands",
            "accepts_response_payload": True,
            "payload": _slash_command(fake, "now", ADMIN),
        }
    )
    eventually(lambda: "env-command" in websocket.acks())
    [question] = eventually(lambda: top_level(fake))
    assert "Interview question of the day" in question["text"]

    driver = SlackDriver("http://unused", "unused", fake)
    reply = {
        "type": "message",
        "channel": CHANNEL,
        "user": ALICE,
        "text": "Start from the access patterns.",
        "ts": fake.next_ts(),
        "thread_ts": question["ts"],
    }
    websocket.send(
        {
            "envelope_id": "env-answer",
            "type": "events_api",
            "accepts_response_payload": False,
            "retry_attempt": 0,
            "retry_reason": "",
            "payload": driver.envelope(reply, event_id="EvSocket1"),
        }
    )
    eventually(lambda: "env-answer" in websocket.acks())
    answers = eventually(lambda: socket_bot.export()["rounds"][0]["answers"])
    assert [a["text"] for a in answers] == ["Start from the access patterns."]

    # Nothing of Slack's is served over HTTP: in Socket Mode nothing is signed.
    request = urllib.request.Request(socket_bot.url, data=b"{}", method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 404

    assert socket_bot.proc is not None
    socket_bot.proc.send_signal(signal.SIGTERM)
    assert socket_bot.proc.wait(timeout=15) == 0
    logs = socket_bot.logs()
    assert "connected to Slack over Socket Mode" in logs and "stopped" in logs
    assert APP_TOKEN not in logs
