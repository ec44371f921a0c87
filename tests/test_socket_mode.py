"""Socket Mode: the real Bolt app behind slack_bolt's Socket Mode adapter, against the fake Slack.
Only the websocket is stood in for (a client that records the envelope acks): what arrives over
it is what Slack sends, and replies go to the fake over HTTP."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from bot.app import Bot, build_bot
from bot.cli.export import export_rounds
from bot.config import ConfigError, Settings
from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.process import ADMIN, ALICE, CHANNEL
from bot.socket_mode import (
    SocketModeError,
    open_socket_mode,
    socket_mode_handler,
    socket_mode_wsgi,
)
from tests.helpers import ROOT, top_level

APP_TOKEN = "xapp-1-A0APP-1-not-a-real-token"


class Websocket:
    """Stands in for slack_sdk's SocketModeClient on the wire: records what the bot sends back."""

    def __init__(self) -> None:
        self.acks: list[SocketModeResponse] = []
        self.logger = logging.getLogger("test.socket")

    def send_socket_mode_response(self, response: SocketModeResponse) -> None:
        self.acks.append(response)


class SyncExecutor:
    """Runs Bolt's listeners at once, so a test sees their effects when handle() returns."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
        from concurrent.futures import Future

        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future


@pytest.fixture
def bot(fake: FakeSlack, tmp_path: Path) -> Iterator[Bot]:
    settings = Settings(
        signing_secret="",  # Socket Mode: nothing is signed
        bot_token=fake.bot_token,
        app_token=APP_TOKEN,
        database_url=f"sqlite:///{tmp_path / 'bot.db'}",
        slack_api_url=fake.api_url,
        questions_file=ROOT / "data" / "questions.yaml",
    )
    bot = build_bot(settings)
    bot.app.listener_runner.listener_executor = SyncExecutor()  # type: ignore[assignment]
    yield bot
    bot.engine.dispose()


def command(fake: FakeSlack, text: str, user: str) -> SocketModeRequest:
    """A slash command as Socket Mode delivers it: the HTTP form fields as a JSON object."""
    driver = SlackDriver("http://unused", "unused", fake)
    captured: dict[str, str] = {}
    driver._send_form = lambda fields: captured.update(fields)  # type: ignore[assignment,method-assign,return-value]
    driver.command(text, user=user, channel=CHANNEL)
    return SocketModeRequest("slash_commands", f"env-{time.monotonic_ns()}", dict(captured))


def event(fake: FakeSlack, event: dict[str, Any], event_id: str, retry: int | None = None):  # noqa: ANN201
    envelope = SlackDriver("http://unused", "unused", fake).envelope(event, event_id=event_id)
    return SocketModeRequest("events_api", f"env-{event_id}-{retry}", envelope, retry_attempt=retry)


def test_the_handler_is_built_on_the_bots_app_with_the_app_token(bot: Bot, fake: FakeSlack) -> None:
    handler = socket_mode_handler(bot.app, APP_TOKEN)
    assert handler.app is bot.app
    assert handler.client.app_token == APP_TOKEN
    # apps.connections.open goes where the bot's other calls go (SLACK_API_URL)
    assert handler.client.web_client.base_url == fake.api_url


def test_a_command_over_the_socket_is_acknowledged_answered_and_logged(
    bot: Bot, fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    handler, socket = socket_mode_handler(bot.app, APP_TOKEN), Websocket()
    request = command(fake, "now", ADMIN)
    with caplog.at_level(logging.INFO, logger="bot.socket_mode"):
        handler.handle(socket, request)  # type: ignore[arg-type]
    assert [ack.envelope_id for ack in socket.acks] == [request.envelope_id]
    [question] = top_level(fake)
    assert "Interview question of the day" in question["text"]
    [line] = [r for r in caplog.records if r.getMessage() == "request"]
    logged = (line.via, line.kind, line.user, line.status)  # type: ignore[attr-defined]
    assert logged == ("socket", "/interview", ADMIN, "200")


def test_an_app_token_of_the_wrong_kind_stops_start_up_saying_which() -> None:
    with pytest.raises(ConfigError, match="SLACK_APP_TOKEN must be an app-level token starting"):
        Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"})


def test_an_answer_over_the_socket_counts_once_when_slack_delivers_it_again(
    bot: Bot, fake: FakeSlack
) -> None:
    handler, socket = socket_mode_handler(bot.app, APP_TOKEN), Websocket()
    handler.handle(socket, command(fake, "now", ADMIN))  # type: ignore[arg-type]
    [question] = top_level(fake)
    reply = {
        "type": "message",
        "channel": CHANNEL,
        "user": ALICE,
        "text": "Start from the access patterns.",
        "ts": fake.next_ts(),
        "thread_ts": question["ts"],
    }
    first, again = event(fake, reply, "Ev1"), event(fake, reply, "Ev1", retry=1)
    handler.handle(socket, first)  # type: ignore[arg-type]
    handler.handle(socket, again)  # type: ignore[arg-type]
    assert [a.envelope_id for a in socket.acks][-2:] == [first.envelope_id, again.envelope_id]
    with bot.sessions.begin() as session:
        [round_] = export_rounds(session, None)["rounds"]
    assert [a["text"] for a in round_["answers"]] == ["Start from the access patterns."]


def test_an_event_the_bot_cannot_read_is_not_acknowledged(bot: Bot, fake: FakeSlack) -> None:
    """No ack: Slack delivers it again rather than the bot pretending it was handled."""
    handler, socket = socket_mode_handler(bot.app, APP_TOKEN), Websocket()
    broken = event(fake, {"type": "message", "channel": CHANNEL}, "Ev2")
    broken.payload["event"] = "not an object"
    handler.handle(socket, broken)  # type: ignore[arg-type]
    assert socket.acks == []


def get(wsgi: Any, path: str, method: str = "GET", body: bytes = b"", **headers: str):  # noqa: ANN201
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "3000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        **{"HTTP_" + k.upper(): v for k, v in headers.items()},
    }
    statuses: list[str] = []
    answer = b"".join(wsgi(environ, lambda status, headers, *a: statuses.append(status)))
    return statuses[0], answer.decode()


def test_port_serves_healthz_and_refuses_slack_requests(bot: Bot, fake: FakeSlack) -> None:
    wsgi = socket_mode_wsgi(SlackRequestHandler(bot.app), bot.engine, oauth=False)
    assert get(wsgi, "/healthz") == ("200 OK", "ok\n")
    # Nothing is signed in Socket Mode, so a request over HTTP could be anyone's: it never
    # reaches Bolt, however it looks.
    body = f"command=/interview&text=now&user_id={ADMIN}&channel_id={CHANNEL}".encode()
    status, text = get(
        wsgi,
        "/slack/events",
        "POST",
        body,
        x_slack_request_timestamp=str(int(time.time())),
        x_slack_signature="v0=" + "0" * 64,
    )
    assert status.startswith("404") and "Socket Mode" in text
    assert top_level(fake) == []
    assert get(wsgi, "/slack/install")[0].startswith("404")  # no OAuth install flow configured


def test_slack_refusing_the_socket_is_an_error_naming_the_app_token(bot: Bot) -> None:
    # The fake Slack has no apps.connections.open, so Slack refuses as for a bad token.
    with pytest.raises(SocketModeError, match="SLACK_APP_TOKEN"):
        open_socket_mode(bot.app, APP_TOKEN)


def test_the_bot_stops_at_start_up_in_one_line_when_slack_refuses_the_socket(
    fake: FakeSlack, tmp_path: Path
) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(ROOT),
        "DOTENV_PATH": str(tmp_path / "none"),
        "SLACK_BOT_TOKEN": fake.bot_token,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_URL": fake.api_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        "QUESTIONS_FILE": str(ROOT / "data" / "questions.yaml"),
        "LOG_LEVEL": "CRITICAL",
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: Slack refused the Socket Mode connection")
    assert "SLACK_APP_TOKEN" in line and APP_TOKEN not in line


def test_with_oauth_port_also_serves_the_install_pages(fake: FakeSlack, tmp_path: Path) -> None:
    """OAuth with Socket Mode: a browser opens the install pages over HTTP; events still don't."""
    settings = Settings(
        signing_secret="",
        app_token=APP_TOKEN,
        client_id="111.222",
        client_secret="client-secret",
        database_url=f"sqlite:///{tmp_path / 'bot.db'}",
        slack_api_url=fake.api_url,
        questions_file=ROOT / "data" / "questions.yaml",
    )
    bot = build_bot(settings)
    try:
        wsgi = socket_mode_wsgi(SlackRequestHandler(bot.app), bot.engine, oauth=True)
        status, page = get(wsgi, "/slack/install")
        assert status.startswith("200") and "client_id=111.222" in page
        assert get(wsgi, "/slack/events", "POST")[0].startswith("404")
    finally:
        bot.engine.dispose()


def test_start_up_says_when_a_bot_run_with_a_token_has_no_admins_named(
    fake: FakeSlack, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A bot run with a token can't tell who installed it: the operator is told how to become
    its admin, once, and not when they already are."""
    for admins, warned in ((frozenset(), True), (frozenset({"ULEAD"}), False)):
        caplog.clear()
        settings = Settings(
            signing_secret="",
            bot_token=fake.bot_token,
            app_token=APP_TOKEN,
            database_url=f"sqlite:///{tmp_path / 'admins.db'}",
            slack_api_url=fake.api_url,
            questions_file=ROOT / "data" / "questions.yaml",
            admins=admins,
        )
        with caplog.at_level("WARNING"):
            build_bot(settings).engine.dispose()
        said = [r.getMessage() for r in caplog.records if "INTERVIEW_ADMINS" in r.getMessage()]
        assert len(said) == (1 if warned else 0)
