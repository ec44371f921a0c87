"""What the tests share, in one place: the cast and the paths, the features' UIs built as
`bot.app.build_bot` builds them, the clock driven tick by tick, and Slack traffic to the real bot
process over HTTP (the end-to-end tests).

Only Slack (the fake, over HTTP) and the clock (a `now` passed in) stand in for the real thing.
The cast and the channels come from :func:`bot.sandbox.process.make_fake`, which the `fake`
fixture of ``tests/conftest.py`` starts; fixtures live in the conftests, never here.
"""

from __future__ import annotations

import json
import textwrap
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.calibration.reports import CalibrationReports
from bot.calibration.sessions import CalibrationService
from bot.calibration.ui import CalibrationUI
from bot.channels.admins import Admins
from bot.channels.schedule import Schedule, parse_schedule
from bot.channels.service import ChannelService
from bot.channels.ui import ChannelsUI
from bot.clock import Clock, TickReport
from bot.privacy.service import PrivacyService
from bot.privacy.ui import PrivacyUI
from bot.progress.service import ProgressService
from bot.progress.ui import ProgressUI
from bot.questions.bank import QuestionBank
from bot.questions.library import QuestionLibrary
from bot.questions.ui import QuestionsUI
from bot.rounds.blind import BlindAnswers
from bot.rounds.inbox import Inbox
from bot.rounds.service import RoundService
from bot.rounds.ui import RoundsUI
from bot.sandbox.driver import Response, SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.process import (
    ADMIN,
    ALICE,
    BOB,
    CAROL,
    CHANNEL,
    DAVE,
    LEAD,
    OUTSIDE,
    ROOT,
    eventually,
)
from bot.slack.clients import ClientFor, retry_handlers
from bot.slack.people import People
from bot.slack.replies import Invocation
from bot.slash import SlashCommands, help_text

__all__ = [
    "ADMIN",
    "ALICE",
    "BANK",
    "BERLIN",
    "BOB",
    "CAROL",
    "CHANNEL",
    "DAVE",
    "LEAD",
    "MANAGER",
    "NEW_YORK",
    "NOW",
    "ONE_MINUTE",
    "OUTSIDE",
    "ROOT",
    "TEAM",
    "Sessions",
    "Sweep",
    "UIs",
    "answer_in_thread",
    "as_json",
    "berlin",
    "build_uis",
    "button_value",
    "click",
    "click_and_wait",
    "click_for_modal",
    "client_for",
    "eventually",
    "in_thread",
    "invocation",
    "last_response",
    "local",
    "make_clock",
    "modal_opened_since",
    "open_home",
    "private_metadata",
    "replies_in",
    "run",
    "submit",
    "submitted",
    "subscribe",
    "sweep",
    "text_inputs",
    "top_level",
    "utc",
    "vote",
    "write_bank",
]

# -- the features' UIs, in process -------------------------------------------------------------

BANK = QuestionBank.load(ROOT / "data" / "questions.yaml")
TEAM = "T0TEAM"  # the fake's workspace
MANAGER = CAROL  # listed in INTERVIEW_MANAGERS by build_uis (not a workspace admin)
# A Monday, 08:00 in Berlin: before the usual 09:30 post, on a weekday.
NOW = datetime(2025, 3, 3, 7, 0, tzinfo=UTC)

Sessions = sessionmaker[Session]


@dataclass(frozen=True)
class UIs:
    """Everything a test talks to: the fake Slack, the features' UIs and `/interview`."""

    fake: FakeSlack
    people: People
    library: QuestionLibrary
    questions: QuestionsUI
    channels: ChannelsUI
    rounds: RoundsUI
    progress: ProgressUI
    calibration: CalibrationUI
    slash: SlashCommands
    inbox: Inbox


def client_for(fake: FakeSlack) -> ClientFor:
    """One Web API client on the fake for every workspace, as a single-workspace bot has, with
    the bot's retry policy."""
    client = WebClient(token=fake.bot_token, base_url=fake.api_url, retry_handlers=retry_handlers())
    return lambda _team_id: client


def build_uis(
    sessions: Sessions,
    fake: FakeSlack,
    now: datetime = NOW,
    *,
    admins: frozenset[str] = frozenset({LEAD}),
    managers: frozenset[str] = frozenset({MANAGER}),
) -> UIs:
    """The services and UIs as `bot.app.build_bot` wires them (INTERVIEW_ADMINS=`admins`,
    INTERVIEW_MANAGERS=`managers`), without Bolt."""
    slack = client_for(fake)
    people = People(slack, admins, managers, sessions=sessions)
    admin_grants = Admins(sessions)
    library = QuestionLibrary(sessions, BANK)
    rounds = RoundService(sessions, library, slack)
    channels = ChannelService(sessions)
    progress = ProgressService(sessions, library, channels, slack)
    calibration = CalibrationService(sessions, library, slack)

    questions_ui = QuestionsUI(library, slack, people)
    channels_ui = ChannelsUI(channels, library, slack, people, admin_grants)
    rounds_ui = RoundsUI(rounds, BlindAnswers(sessions, slack), library, slack, people)
    progress_ui = ProgressUI(progress, slack, people, help_text=help_text())
    calibration_ui = CalibrationUI(
        calibration, CalibrationReports(sessions), library, slack, people
    )
    privacy_ui = PrivacyUI(PrivacyService(sessions))
    uis = (questions_ui, channels_ui, rounds_ui, progress_ui, calibration_ui, privacy_ui)
    slash = SlashCommands(
        {name: run for ui in uis for name, run in ui.handlers().items()},
        people,
        unclaimed=admin_grants.is_unclaimed,
    )
    return UIs(
        fake=fake,
        people=people,
        library=library,
        questions=questions_ui,
        channels=channels_ui,
        rounds=rounds_ui,
        progress=progress_ui,
        calibration=calibration_ui,
        slash=slash,
        inbox=Inbox(sessions, lambda: now),
    )


def invocation(
    user: str, text: str = "", channel: str = CHANNEL, trigger_id: str | None = None
) -> Invocation:
    """`/interview <text>` typed by `user` in `channel`."""
    return Invocation(TEAM, channel, user, text, trigger_id)


def private_metadata(**values: object) -> str:
    """A submitted modal's `private_metadata`, as the bot wrote it."""
    return json.dumps(values)


def button_value(message: dict[str, Any], action_id: str) -> str:
    """The value of a button on a posted message: what Slack sends back when it is pressed."""
    for block in message["blocks"] or []:
        for element in block.get("elements", []):
            if element.get("type") == "button" and element.get("action_id") == action_id:
                return str(element["value"])
    raise AssertionError(f"no {action_id} button on {message['text']!r}")


def answer_in_thread(
    uis: UIs, thread_ts: str, user: str, text: str, ts: str, channel: str = CHANNEL
) -> None:
    """A person replies in a question's thread: the message event Slack delivers, through the
    durable inbox as the events listener hands it over."""
    event = {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
        "thread_ts": thread_ts,
    }
    _deliver(uis, event, f"Ev{ts}")


def vote(
    uis: UIs, voter: str, author: str, answer_ts: str, emoji: str = "+1", channel: str = CHANNEL
) -> None:
    """A person reacts with `emoji` on an answer."""
    event = {
        "type": "reaction_added",
        "user": voter,
        "item_user": author,
        "reaction": emoji,
        "item": {"type": "message", "channel": channel, "ts": answer_ts},
        "event_ts": answer_ts,
    }
    _deliver(uis, event, f"Ev{voter}{answer_ts}")


def _deliver(uis: UIs, event: dict[str, Any], event_id: str) -> None:
    body = {"type": "event_callback", "team_id": TEAM, "event_id": event_id, "event": event}
    assert uis.inbox.receive(body)
    assert uis.inbox.process(event_id) is not None


# -- messages in the fake ----------------------------------------------------------------------


def top_level(fake: FakeSlack, channel: str = CHANNEL) -> list[dict[str, Any]]:
    """The bot's messages in the channel that are not thread replies (questions, cards)."""
    return [m for m in fake.messages(channel) if not m["thread_ts"]]


def replies_in(fake: FakeSlack, channel: str = CHANNEL) -> list[dict[str, Any]]:
    """The bot's replies in any thread of the channel (reveals, reminders, counters)."""
    return [m for m in fake.messages(channel) if m["thread_ts"]]


def in_thread(fake: FakeSlack, ts: str, channel: str = CHANNEL) -> list[dict[str, Any]]:
    """The bot's replies in the thread of the message `ts`."""
    return [m for m in fake.messages(channel) if m["thread_ts"] == ts]


def write_bank(tmp_path: Path, text: str, name: str = "bank.yaml") -> Path:
    """A question bank file with `text` (dedented) in `tmp_path`."""
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def as_json(value: Any) -> Any:
    """A Web API argument as the bot meant it: Slack accepts `view` and `blocks` JSON-encoded."""
    return json.loads(value) if isinstance(value, str) else value


# -- the clock ---------------------------------------------------------------------------------

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
ONE_MINUTE = timedelta(minutes=1)


def make_clock(sessions: Sessions, fake: FakeSlack) -> Clock:
    """The clock as `bot.app.build_bot` wires it, posting to the fake."""
    return Clock(sessions, RoundService(sessions, BANK, client_for(fake)))


def subscribe(
    sessions: Sessions, fake: FakeSlack, channel: str, spec: str, at: datetime, **kw: Any
) -> Schedule:
    """`/interview schedule <spec>` in `channel` at `at` (the channel is created in the fake)."""
    fake.add_channel(channel, channel.lower(), **kw)
    schedule = parse_schedule(spec.split(), "UTC", BANK.categories())
    ChannelService(sessions).subscribe(TEAM, channel, schedule, ADMIN, at)
    return schedule


def local(
    zone: ZoneInfo, year: int, month: int, day: int, hour: int = 0, minute: int = 0
) -> datetime:
    """The UTC instant of a (non-ambiguous) wall-clock time in `zone`."""
    return datetime(year, month, day, hour, minute, tzinfo=zone).astimezone(UTC)


def berlin(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return local(BERLIN, year, month, day, hour, minute)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@dataclass
class Sweep:
    """What a run of ticks did: the instants at which each channel got a post or a reveal."""

    posted: dict[str, list[datetime]]
    revealed: list[tuple[int, datetime]]
    skipped: dict[str, list[datetime]]


def sweep(clock: Clock, start: datetime, end: datetime, step: timedelta = ONE_MINUTE) -> Sweep:
    """Tick at every `step` from `start` up to and excluding `end`, as the scheduler would."""
    result = Sweep({}, [], {})
    now = start
    while now < end:
        report: TickReport = clock.tick(now)
        for channel in report.posted:
            result.posted.setdefault(channel, []).append(now)
        for channel in report.skipped:
            result.skipped.setdefault(channel, []).append(now)
        result.revealed.extend((round_id, now) for round_id in report.revealed)
        now += step
    return result


# -- Slack traffic to the bot process (the end-to-end tests) -----------------------------------


def run(
    slack: SlackDriver,
    fake: FakeSlack,
    text: str,
    *,
    user: str,
    channel: str = CHANNEL,
    timeout: float = 20.0,
) -> dict[str, Any]:
    """`/interview <text>` and the one response_url post it answers with."""
    before = len(fake.calls("response_url"))
    assert slack.command(text, user=user, channel=channel).status == 200
    eventually(lambda: len(fake.calls("response_url")) >= before + 1, timeout=timeout)
    responses = fake.calls("response_url")
    assert len(responses) == before + 1, [c.args.get("text") for c in responses[before:]]
    return responses[before].args


def last_response(fake: FakeSlack) -> str:
    """The text of the latest response_url post, once there is one."""
    return str(eventually(lambda: fake.calls("response_url"))[-1].args["text"])


def act_on_view(
    slack: SlackDriver, fake: FakeSlack, view: dict[str, Any], action: dict[str, Any], *, user: str
) -> None:
    """An element pressed or picked on a view (the Home tab, a modal): Slack sends no
    response_url there, only a trigger."""
    payload = {
        "type": "block_actions",
        "user": user,
        "container": {"type": "view", "view_id": view["id"]},
        "view": view,
        "actions": [action],
        "trigger_id": fake.new_trigger_id(),
    }
    assert slack.action(payload).status == 200


def click(
    slack: SlackDriver,
    fake: FakeSlack,
    action_id: str,
    value: str,
    *,
    user: str,
    channel: str = CHANNEL,
    message_ts: str | None = None,
) -> Response:
    """A button press: on a channel message (message_ts) or on an ephemeral card."""
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": user,
        "channel": {"id": channel},
        "actions": [{"action_id": action_id, "value": value, "type": "button"}],
        "trigger_id": fake.new_trigger_id(),
    }
    if message_ts is not None:  # the driver binds a response_url to that message
        payload["container"] = {"type": "message", "message_ts": message_ts, "channel_id": channel}
    else:
        payload["container"] = {
            "type": "message",
            "message_ts": fake.next_ts(),
            "channel_id": channel,
            "is_ephemeral": True,
        }
        payload["response_url"] = fake.response_url(channel=channel, user=user)
    response = slack.action(payload)
    assert response.status == 200
    return response


def click_and_wait(
    slack: SlackDriver, fake: FakeSlack, action_id: str, value: str, **kwargs: Any
) -> dict[str, Any]:
    """A button press and the first response_url post that answers it."""
    before = len(fake.calls("response_url"))
    click(slack, fake, action_id, value, **kwargs)
    eventually(lambda: len(fake.calls("response_url")) >= before + 1)
    return fake.calls("response_url")[before].args


def modal_opened_since(fake: FakeSlack, before: int) -> dict[str, Any]:
    """The view of the first modal the bot opened after the first `before` views.open calls."""
    opened = eventually(lambda: fake.calls("views.open")[before:])
    view: dict[str, Any] = as_json(opened[0].args["view"])
    return view


def click_for_modal(
    slack: SlackDriver, fake: FakeSlack, action_id: str, value: str, *, user: str
) -> dict[str, Any]:
    """A button press that opens a modal; the modal's view, as the bot sent it."""
    before = len(fake.calls("views.open"))
    click(slack, fake, action_id, value, user=user)
    return modal_opened_since(fake, before)


def text_inputs(values: Mapping[str, str | None]) -> dict[str, Any]:
    """A modal's state for plain-text inputs whose block id and action id are the field's name."""
    return {
        name: {name: {"type": "plain_text_input", "value": value}} for name, value in values.items()
    }


def submit(
    slack: SlackDriver, view: dict[str, Any], values: dict[str, Any], *, user: str
) -> Response:
    """`user` submits the modal `view` with `values` as its state."""
    return slack.view_submission(
        {"type": "view_submission", "user": user, "view": {**view, "state": {"values": values}}}
    )


def submitted(
    slack: SlackDriver, view: dict[str, Any], values: dict[str, Any], *, user: str
) -> dict[str, Any]:
    """:func:`submit`, and what the bot answered: `{}` when the modal closes, else its errors."""
    response = submit(slack, view, values, user=user)
    assert response.status == 200
    answer: dict[str, Any] = response.json() if response.body.strip() else {}
    return answer


def open_home(slack: SlackDriver, fake: FakeSlack, user: str) -> dict[str, Any]:
    """`user` opens the App Home tab; the view the bot published for them."""

    def published() -> int:
        return len([c for c in fake.calls("views.publish") if c.args["user_id"] == user])

    before = published()
    event = {"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": "home"}
    assert slack.event({**event, "event_ts": fake.next_ts()}).status == 200
    eventually(lambda: published() > before)
    view = fake.home_view(user)
    assert view is not None
    return view


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def get_page(url: str, cookie: str | None = None) -> tuple[int, str, dict[str, str]]:
    """GET a page of the bot (the OAuth install flow) without following redirects."""
    opener = urllib.request.build_opener(_NoRedirect, urllib.request.ProxyHandler({}))
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), dict(exc.headers)
