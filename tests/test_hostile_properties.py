"""Properties over arbitrary Slack traffic, in process: the real Bolt app from
`bot.app.build_bot` behind `bot.server.make_wsgi`, talking to the fake Slack, each request signed
as Slack signs it (or not at all).

For any event payload (messages, edits, deletions, reactions, Home tab visits, with random
text, ids, subtypes and extra fields) and any `/interview` text from anyone anywhere:
- the answer is 200, or 401 when the request is not signed (and then nothing happens);
- nothing is logged at ERROR or with a traceback (no `listener failed`, no `event processing
  failed`);
- nothing the bot sends to Slack holds a live mention or link from the input.

Listeners run in the request's thread (:class:`tests.hostile.SyncExecutor`), so every Slack call
a request causes has been made when it returns.
"""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.cli.export import export_rounds
from bot.rounds.render import TITLE
from bot.sandbox.fake_slack import FakeSlack
from tests.helpers import ADMIN, ALICE, BOB, CAROL, CHANNEL, DAVE, LEAD, OUTSIDE
from tests.hostile import CONTROL, INVISIBLE, InProcessBot, live_pings

BLIND = "CBLIND"  # a channel in blind mode
OTHER_TEAM = "T0OTHER"
USERS = (ADMIN, LEAD, ALICE, BOB, CAROL, DAVE, "UNOBODY")
CHANNELS = (CHANNEL, BLIND, OUTSIDE, "CUNKNOWN", f"D{ALICE}")
EXAMPLES = settings(
    max_examples=200,
    deadline=None,
    database=None,  # nothing written to the checkout
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture
def harness(fake: FakeSlack, tmp_path: Path) -> Iterator[InProcessBot]:
    bot = InProcessBot(fake, tmp_path)
    yield bot
    bot.close()


@pytest.fixture
def problems(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.INFO)
    yield caplog


def logged_problems(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        f"{r.name}: {r.getMessage()}"
        for r in caplog.records
        if r.levelno >= logging.ERROR or r.exc_info
    ]


# -- strategies --------------------------------------------------------------------------------

FRAGMENTS = (
    *CONTROL,
    *INVISIBLE,
    "&amp;",
    "&lt;",
    "&gt;",
    "<",
    ">",
    "|",
    "*bold*",
    "`",
    "```",
    "\n",
    ":+1:",
    "\u0000",
    "x" * 3000,
)
texts = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=20)), max_size=8).map(
    "".join
)
users = st.sampled_from(USERS)
channels = st.sampled_from(CHANNELS)
stamps = st.from_regex(r"1[0-9]{9}\.[0-9]{6}", fullmatch=True)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=6,
)
# Fields Slack may add that the bot does not read; never one it does read (its type is Slack's).
READ = {"type", "subtype", "channel", "user", "text", "ts", "thread_ts", "message"}
READ |= {"previous_message", "deleted_ts", "item", "item_user", "reaction", "event_ts", "tab"}
READ |= {"bot_id", "bot_profile", "edited"}
extras = st.dictionaries(
    st.text(min_size=1, max_size=12).filter(lambda k: k not in READ), json_values, max_size=3
)


def with_extras(base: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.tuples(base, extras).map(lambda pair: {**pair[1], **pair[0]})


@st.composite
def events(draw: st.DrawFn, threads: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """A message, edit, deletion, reaction or Home tab event of Slack's shape, random inside;
    often a reply in the thread of an open round (`threads`: (channel, ts) pairs)."""
    ts = st.one_of(st.sampled_from([t for _, t in threads]), stamps)
    reply = st.sampled_from(threads).flatmap(
        lambda thread: st.fixed_dictionaries(
            {
                "type": st.just("message"),
                "channel": st.just(thread[0]),
                "thread_ts": st.just(thread[1]),
                "ts": stamps,
                "user": users,
                "text": texts,
            },
            optional={"subtype": st.sampled_from(["thread_broadcast", "file_share"])},
        )
    )
    vote = st.sampled_from(threads).flatmap(
        lambda thread: st.fixed_dictionaries(
            {
                "type": st.sampled_from(["reaction_added", "reaction_removed"]),
                "user": users,
                "reaction": st.sampled_from(["+1", "+1::skin-tone-2", "star"]),
                "item": st.fixed_dictionaries(
                    {"type": st.just("message"), "channel": st.just(thread[0]), "ts": stamps}
                ),
                "item_user": users,
            }
        )
    )
    inner = st.fixed_dictionaries(
        {"ts": ts},
        optional={
            "type": st.just("message"),
            "user": users,
            "text": texts,
            "thread_ts": ts,
            "bot_id": st.just("B0OTHER"),
            "edited": st.fixed_dictionaries({"user": users, "ts": stamps}),
        },
    )
    subtypes = st.sampled_from(
        ["thread_broadcast", "file_share", "bot_message", "channel_join", "me_message"]
    )
    message = st.fixed_dictionaries(
        {"type": st.just("message"), "channel": channels, "ts": ts},
        optional={
            "user": users,
            "text": texts,
            "thread_ts": ts,
            "subtype": st.one_of(subtypes, texts),
            "bot_id": st.just("B0OTHER"),
            "blocks": st.lists(json_values, max_size=2),
        },
    )
    changed = st.fixed_dictionaries(
        {
            "type": st.just("message"),
            "subtype": st.just("message_changed"),
            "channel": channels,
            "ts": stamps,
            "message": with_extras(inner),
        },
        optional={"previous_message": with_extras(inner), "hidden": st.booleans()},
    )
    deleted = st.fixed_dictionaries(
        {
            "type": st.just("message"),
            "subtype": st.just("message_deleted"),
            "channel": channels,
            "ts": stamps,
        },
        optional={"deleted_ts": ts, "previous_message": with_extras(inner)},
    )
    reaction = st.fixed_dictionaries(
        {
            "type": st.sampled_from(["reaction_added", "reaction_removed"]),
            "user": users,
            "reaction": st.one_of(
                st.sampled_from(["+1", "+1::skin-tone-4", "thumbsup", "star"]), texts
            ),
            "item": with_extras(
                st.fixed_dictionaries(
                    {
                        "type": st.sampled_from(["message", "file", "file_comment"]),
                        "channel": channels,
                        "ts": ts,
                    }
                )
            ),
        },
        optional={"item_user": users, "event_ts": stamps},
    )
    home = st.fixed_dictionaries(
        {"type": st.just("app_home_opened"), "user": users},
        optional={"tab": st.one_of(st.sampled_from(["home", "messages"]), texts)},
    )
    shapes = st.one_of(reply, reply, reply, vote, vote, message, changed, deleted, reaction, home)
    return draw(with_extras(shapes))


# -- the requests ------------------------------------------------------------------------------


def envelope(event: dict[str, Any], team_id: str, event_id: str) -> dict[str, Any]:
    return {
        "token": "fake-verification-token",
        "team_id": team_id,
        "api_app_id": "A0APP",
        "type": "event_callback",
        "event_id": event_id,
        "event_time": 1_700_000_000,
        "event": {**event, "event_ts": event.get("event_ts") or event.get("ts") or "1.0"},
        "authorizations": [{"team_id": team_id, "user_id": "UBOT", "is_bot": True}],
    }


def command(fake: FakeSlack, text: str, user: str, channel: str, team_id: str) -> bytes:
    fields = {
        "token": "fake-verification-token",
        "team_id": team_id,
        "team_domain": "acme",
        "channel_id": channel,
        "channel_name": "interview-practice",
        "user_id": user,
        "user_name": "someone",
        "command": "/interview",
        "text": text,
        "api_app_id": "A0APP",
        "response_url": fake.response_url(channel=channel, user=user),
        "trigger_id": fake.new_trigger_id(),
    }
    return urlencode(fields).encode()


def open_rounds(bot: InProcessBot, fake: FakeSlack) -> tuple[tuple[str, str], ...]:
    """An open round in CHANNEL and a blind one in BLIND: (channel, question ts) of each."""
    fake.add_channel(BLIND, "blind-practice")
    for channel, text in ((BLIND, "mode blind"), (CHANNEL, "now"), (BLIND, "now")):
        body = command(fake, text, ADMIN, channel, fake.team_id)
        assert bot.send(body, "application/x-www-form-urlencoded")[0] == 200
    posts = [
        (channel, m["ts"])
        for channel in (CHANNEL, BLIND)
        for m in fake.messages(channel)
        if m["text"].startswith(TITLE)
    ]
    assert len(posts) == 2, [m["text"] for c in (CHANNEL, BLIND) for m in fake.messages(c)]
    return tuple(posts)


def exported(bot: InProcessBot) -> dict[str, Any]:
    """`python -m bot export`'s rounds, through JSON as the command writes them."""
    with bot.bot.sessions() as session:
        data: dict[str, Any] = json.loads(json.dumps(export_rounds(session)))
    return data


# -- properties --------------------------------------------------------------------------------


def test_any_event_is_answered_200_logged_without_errors_and_pings_nobody(
    harness: InProcessBot, fake: FakeSlack, problems: pytest.LogCaptureFixture
) -> None:
    threads = open_rounds(harness, fake)
    problems.clear()
    fresh = itertools.count()

    @EXAMPLES
    @given(
        event=events(threads),
        team_id=st.sampled_from([fake.team_id, fake.team_id, fake.team_id, OTHER_TEAM]),
        event_id=st.sampled_from(["EvREPLAYED1", "EvREPLAYED2", "", "", "", "", ""]),
        signed=st.sampled_from([True, True, True, False]),  # mostly signed
        retry=st.one_of(st.none(), st.sampled_from(["1", "2"])),
    )
    def check(
        event: dict[str, Any], team_id: str, event_id: str, signed: bool, retry: str | None
    ) -> None:
        # A fresh id mostly; now and then an id seen before, with other content (a replay).
        event_id = event_id or f"Ev{next(fresh):010d}"
        before = len(fake.calls())
        headers = {"X-Slack-Retry-Num": retry, "X-Slack-Retry-Reason": "http_timeout"}
        status, body = harness.send_json(
            envelope(event, team_id, event_id),
            signed=signed,
            extra_headers=headers if retry else None,
        )
        made = fake.calls()[before:]
        if not signed:
            assert (status, made) == (401, []), body
        else:
            assert status == 200, (status, body)
        assert logged_problems(problems) == []
        assert live_pings(made) == []
        problems.clear()

    check()
    # Not vacuous: the generated replies reached the rounds as answers.
    assert sum(len(r["answers"]) for r in exported(harness)["rounds"]) > 0
    # After all of it, the rounds reveal without pinging anyone and the export still parses.
    before = len(fake.calls())
    for channel in (CHANNEL, BLIND):
        body = command(fake, "reveal", ADMIN, channel, fake.team_id)
        assert harness.send(body, "application/x-www-form-urlencoded")[0] == 200
    assert live_pings(fake.calls()[before:]) == []
    assert [r["revealed_at"] is not None for r in exported(harness)["rounds"]] == [True, True]
    assert logged_problems(problems) == []


WORDS = (
    "help",
    "random",
    "ask",
    "categories",
    "add",
    "questions",
    "leaderboard",
    "now",
    "reveal",
    "schedule",
    "pause",
    "resume",
    "mode",
    "remind",
    "emoji",
    "calibrate",
    "calibration",
    "calibration report",
)


def test_any_command_text_is_answered_200_logged_without_errors_and_pings_nobody(
    harness: InProcessBot, fake: FakeSlack, problems: pytest.LogCaptureFixture
) -> None:
    open_rounds(harness, fake)
    problems.clear()

    @EXAMPLES
    @given(
        text=st.one_of(
            texts,
            st.tuples(st.sampled_from(WORDS), texts).map(" ".join),
            st.tuples(st.sampled_from(WORDS), st.sampled_from(CONTROL)).map(" ".join),
        ),
        user=users,
        channel=channels,
        team_id=st.sampled_from([fake.team_id, fake.team_id, OTHER_TEAM]),
        signed=st.sampled_from([True, True, True, False]),
    )
    def check(text: str, user: str, channel: str, team_id: str, signed: bool) -> None:
        words = text.replace("\u00a0", " ").lower().split()
        # Known, pinned elsewhere (tests/e2e/test_hostile_input.py, strict xfails): Bolt reads
        # any form body containing "payload" as an interactivity payload; `schedule` quotes
        # what it can't parse unescaped (admins only). `stats @someone` names them on purpose.
        assume("payload" not in text)
        assume(not (words[:1] == ["schedule"] and len(words) > 1 and user in (ADMIN, LEAD)))
        assume(not (words[:1] == ["stats"] and len(words) > 1))
        before = len(fake.calls())
        body = command(fake, text, user, channel, team_id)
        status, answer = harness.send(body, "application/x-www-form-urlencoded", signed=signed)
        made = fake.calls()[before:]
        if not signed:
            assert (status, made) == (401, []), answer
            return
        assert status == 200, (status, answer)
        assert logged_problems(problems) == []
        assert live_pings(made) == []
        problems.clear()

    check()
    assert isinstance(exported(harness)["rounds"], list)
