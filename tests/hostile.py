"""What the fault suite shares: hostile text planted in requests, the check that nothing the bot
sends makes any of it live, the raw signed request, and the bot in process for property tests.

Not a test module: ``tests/e2e/test_hostile_input.py``, ``tests/e2e/test_authorization.py`` and
``tests/test_hostile_properties.py`` import it as they import :mod:`tests.helpers`.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import io
import json
import re
import time
import urllib.parse
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import create_engine, inspect, text

from bot.app import Bot, build_bot
from bot.config import Settings
from bot.sandbox.fake_slack import Call, FakeSlack
from bot.sandbox.process import LEAD, ROOT
from bot.server import make_wsgi

__all__ = [
    "CONTROL",
    "EVIL",
    "HOSTILE",
    "HOSTILE_USER",
    "INVISIBLE",
    "OUTGOING",
    "InProcessBot",
    "RawAnswer",
    "SyncExecutor",
    "database_rows",
    "live_pings",
    "log_problems",
    "quiet",
    "send_raw",
    "signed_headers",
]

# -- what a hostile person types -----------------------------------------------------------------

HOSTILE_USER = "UHOSTILE"  # a user id planted in text; nobody the bot would mention on its own
EVIL = "evil.example"
# Slack's control sequences, as Slack delivers them in message text (and slash-command text with
# "escape channels, users and links" on): each one pings, or shows a link under a forged label.
CONTROL = (
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!here|@here>",
    "<!subteam^S1>",
    "<!subteam^S1|@oncall>",
    f"<@{HOSTILE_USER}>",
    f"<@{HOSTILE_USER}|alice>",
    "<#CHOSTILE|general>",
    f"<https://{EVIL}/login|https://slack.com/reset-password>",
    f"<http://{EVIL}>",
    f"<mailto:ceo@{EVIL}|Your CEO>",
)
HOSTILE = "Ping " + " and ".join(CONTROL) + " & <b>bold</b> `code` *stars*"
# Right-to-left overrides, zero-width joiners and spaces, a BOM: text that looks like a mention
# or a command but is not one, and text whose display order differs from its byte order.
INVISIBLE = (
    "\u202e>lennahc!<\u202c reversed",
    "<!chan\u200bnel> split by a zero-width space",
    "\u200b<!here>\u200d\u2060",
    "\ufeffanswer with a BOM",
    "\u05e9\u05dc\u05d5\u05dd <!channel> \u0645\u0631\u062d\u0628\u0627",
    "\u2066isolate\u2069 \u200e\u200f marks",
)

# A live control sequence from user text: any of the broadcast pings, the planted user or
# channel, a link to the planted domain or a mailto. The bot's own `<@U…>` of real people and
# its `<!date^…>` times do not match.
LIVE = re.compile(
    r"<!(?:channel|here|everyone|subteam)"
    rf"|<@[UW]?{HOSTILE_USER[1:]}|<#CHOSTILE"
    rf"|<(?:https?://[^>|]*{re.escape(EVIL)}|mailto:)",
    re.IGNORECASE,
)
# Every way the bot shows text to people; views too (a modal's mrkdwn renders links).
OUTGOING = frozenset(
    {
        "chat.postMessage",
        "chat.update",
        "chat.postEphemeral",
        "chat.scheduleMessage",
        "response_url",
        "views.open",
        "views.update",
        "views.push",
        "views.publish",
        "files.completeUploadExternal",
    }
)


def _strings(value: Any) -> Iterator[str]:
    """Every string in a Web API argument; `blocks` and `view` may come JSON-encoded."""
    if isinstance(value, str):
        stripped = value.strip()
        if stripped[:1] in ("[", "{"):
            try:
                yield from _strings(json.loads(stripped))
                return
            except ValueError:
                pass
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes")


def live_pings(calls: list[Call]) -> list[str]:
    """What in these calls would ping someone or show a forged link: each as `method: text`.

    Also flags `link_names` and `parse=full`, which would turn a plain "@channel" into a ping."""
    found: list[str] = []
    for call in calls:
        if call.method not in OUTGOING:
            continue
        if _truthy(call.args.get("link_names")) or call.args.get("parse") == "full":
            found.append(f"{call.method}: link_names/parse=full set")
        for shown in _strings(call.args):
            match = LIVE.search(shown)
            if match:
                start = max(match.start() - 60, 0)
                found.append(f"{call.method}: …{shown[start : match.end() + 60]!r}")
    return found


def log_problems(log: str) -> list[str]:
    """Lines of the bot's log that show an unhandled or logged exception."""
    markers = ("Traceback", "listener failed", "Exception while serving", "processing failed")
    return [line for line in log.splitlines() if any(m in line for m in markers)]


# -- what the bot stored, and when it has finished -----------------------------------------------

# Tables that change with any request and say nothing about the product's data: the event inbox
# (every thread event is stored before the ack), Alembic's version and the OAuth stores.
_BOOKKEEPING = ("inbox_events", "alembic_version", "slack_")


def database_rows(database_url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every product table, sorted: compare two of these to prove nothing
    changed. Reads the bot's SQLite file while it runs (readers never block its writers)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            tables = sorted(
                name
                for name in inspect(conn).get_table_names()
                if not name.startswith(_BOOKKEEPING)
            )
            return {
                name: sorted(
                    (tuple(row) for row in conn.execute(text(f'SELECT * FROM "{name}"'))),
                    key=repr,
                )
                for name in tables
            }
    finally:
        engine.dispose()


def quiet(fake: FakeSlack, still: float = 0.4, timeout: float = 15.0) -> int:
    """Wait until the fake has seen no new call for `still` seconds (listeners run after the
    ack, so "nothing happened" needs a moment to be true); returns how many calls it has."""
    deadline = time.monotonic() + timeout
    count = len(fake.calls())
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.05)
        now_count = len(fake.calls())
        if now_count != count:
            count, quiet_since = now_count, time.monotonic()
        elif time.monotonic() - quiet_since >= still:
            return count
    raise AssertionError(f"the bot kept calling Slack for {timeout}s")


# -- raw signed requests -------------------------------------------------------------------------


def signed_headers(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack signs a body with: `v0=` HMAC-SHA256 of `v0:<timestamp>:<body bytes>`."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": "v0=" + digest.hexdigest()}


@dataclass(frozen=True)
class RawAnswer:
    status: int
    body: str


def send_raw(
    url: str,
    body: bytes,
    content_type: str,
    headers: dict[str, str],
    timeout: float = 30.0,
) -> RawAnswer:
    """POST exactly these bytes with these headers (the driver's transport, without its
    encoding). A server may answer (413) and close before it has read the whole body: the rest
    of the body is then dropped and its answer read all the same."""
    parsed = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parsed.hostname or "", parsed.port, timeout=timeout)
    try:
        connection.putrequest("POST", parsed.path)
        fields = {
            "Content-Type": content_type,
            "Content-Length": str(len(body)),
            "User-Agent": "Slackbot 1.0",
            **headers,
        }
        for name, value in fields.items():
            connection.putheader(name, value)
        connection.endheaders()
        try:
            for start in range(0, len(body), 65536):
                connection.send(body[start : start + 65536])
        except OSError:
            pass  # refused mid-body: its answer is waiting
        response = connection.getresponse()
        return RawAnswer(response.status, response.read().decode("utf-8", "replace"))
    finally:
        connection.close()


# -- the bot in process --------------------------------------------------------------------------

T = TypeVar("T")


class SyncExecutor(Executor):
    """Runs each submitted function at once, in the caller's thread: a listener (and every Slack
    call it makes) has finished when the request returns. One difference from the threaded
    runner: a listener that raises after its ack makes Bolt answer 404 rather than 200 (it
    resets the ack), and logs `listener failed` as always; either fails the properties."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # the listener runner's own handler logs listener errors
            future.set_exception(exc)
        return future


class InProcessBot:
    """`bot.app.build_bot` against the fake, served through `bot.server.make_wsgi` without a
    socket: a signed request in, the WSGI status and body out, the listener already finished."""

    def __init__(self, fake: FakeSlack, workdir: Path, secret: str = "property-secret") -> None:
        self.fake = fake
        self.secret = secret
        settings = Settings(
            signing_secret=secret,
            bot_token=fake.bot_token,
            database_url=f"sqlite:///{workdir / 'bot.db'}",
            slack_api_url=fake.api_url,
            questions_file=ROOT / "data" / "questions.yaml",
            admins=frozenset({LEAD}),
        )
        self.bot: Bot = build_bot(settings)
        self.bot.app.listener_runner.listener_executor = SyncExecutor()
        self.wsgi = make_wsgi(SlackRequestHandler(self.bot.app), self.bot.engine, secret)

    def close(self) -> None:
        self.bot.engine.dispose()

    def send(
        self,
        body: bytes,
        content_type: str,
        *,
        signed: bool = True,
        timestamp: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        """The WSGI answer to a POST /slack/events (an exception propagates, as it would reach
        the server)."""
        headers = signed_headers(self.secret, body, timestamp)
        if not signed:
            headers["X-Slack-Signature"] = "v0=" + "0" * 64
        environ: dict[str, Any] = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/slack/events",
            "QUERY_STRING": "",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            "CONTENT_TYPE": content_type,
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
        }
        for name, value in {**headers, **(extra_headers or {})}.items():
            environ["HTTP_" + name.upper().replace("-", "_")] = value
        statuses: list[str] = []

        def start_response(status: str, headers: list[Any], *args: Any) -> None:
            statuses.append(status)

        answer = b"".join(self.wsgi(environ, start_response))
        return int(statuses[0].split(" ")[0]), answer

    def send_json(self, payload: Any, **kwargs: Any) -> tuple[int, bytes]:
        return self.send(json.dumps(payload).encode(), "application/json", **kwargs)
