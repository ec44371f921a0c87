"""When Slack refuses for good (a missing permission, an archived channel, a workspace setting),
the person is told what to change, not to try again: trying again changes nothing."""

from __future__ import annotations

import json

import pytest

from bot.channels.service import ChannelService
from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.process import ADMIN, ALICE
from bot.slack.errors import BOT_BUGS, PERMANENT, what_to_fix
from tests.helpers import (
    TEAM,
    Sessions,
    berlin,
    build_uis,
    make_clock,
    run,
    subscribe,
    sweep,
)

GENERAL_DENIED = "posting_to_general_channel_denied"
ONLY_ADMINS = "Only admins may post in this channel (a workspace setting)"


@pytest.mark.parametrize("error", [e for e in PERMANENT if e not in BOT_BUGS])
def test_every_permanent_error_says_what_to_fix_not_to_try_again(error: str) -> None:
    fix = what_to_fix(error)
    assert "try again" not in fix.lower() and "logged" not in fix


@pytest.mark.parametrize("error", BOT_BUGS)
def test_a_post_the_bot_got_wrong_is_owned_as_a_logged_bug_not_to_try_again(error: str) -> None:
    fix = what_to_fix(error)
    assert "bug in the bot" in fix and "logged" in fix and "try again" not in fix.lower()


def test_a_missing_permission_names_it_and_says_to_reinstall() -> None:
    fix = what_to_fix("missing_scope", needed="files:write")
    assert "`files:write`" in fix and "Reinstall" in fix


def test_a_form_slack_refuses_for_a_missing_permission_says_to_reinstall(
    slack: SlackDriver, fake: FakeSlack
) -> None:
    fake.fail_next("views.open", "missing_scope")
    text = run(slack, fake, "add", user=ALICE)["text"]
    assert text.startswith("Slack refused that (`missing_scope`).")
    assert "reinstall" in text and "try again" not in text


def test_a_round_in_an_archived_channel_says_to_unarchive(
    slack: SlackDriver, fake: FakeSlack
) -> None:
    fake.fail_next("chat.postMessage", "is_archived")
    text = run(slack, fake, "now", user=ADMIN)["text"]
    assert "`is_archived`" in text and "unarchive it" in text and "try again" not in text


def test_a_calibration_session_slack_refuses_says_what_to_fix(
    slack: SlackDriver, fake: FakeSlack
) -> None:
    fake.fail_next("chat.postMessage", "restricted_action")
    text = run(slack, fake, "calibrate sql-vs-nosql", user=ADMIN)["text"]
    assert "`restricted_action`" in text and "workspace admin" in text
    assert "try again" not in text


def test_a_command_posting_in_a_general_only_admins_may_post_in_says_to_move(
    slack: SlackDriver, fake: FakeSlack
) -> None:
    fake.fail_next("chat.postMessage", GENERAL_DENIED)
    text = run(slack, fake, "now", user=ADMIN)["text"]
    assert f"`{GENERAL_DENIED}`" in text and ONLY_ADMINS in text and "another channel" in text
    assert "try again" not in text and "logged" not in text


def test_a_scheduled_post_in_a_general_only_admins_may_post_in_pauses_and_tells_the_admins(
    sessions: Sessions, fake: FakeSlack
) -> None:
    subscribe(sessions, fake, "CGENERAL", "09:30 Europe/Berlin weekdays", berlin(2026, 1, 12, 8))
    fake.fail_next("chat.postMessage", GENERAL_DENIED)
    clock = make_clock(sessions, fake)

    result = sweep(clock, berlin(2026, 1, 12, 9), berlin(2026, 1, 14, 0))

    # Refused once, then paused: not refused again every day.
    assert result.posted == {} and fake.messages("CGENERAL") == []
    [attempt] = [c for c in fake.calls("chat.postMessage") if c.args["channel"] == "CGENERAL"]
    assert attempt.response == {"ok": False, "error": GENERAL_DENIED}
    assert ChannelService(sessions).pause_reasons(TEAM) == {"CGENERAL": GENERAL_DENIED}
    build_uis(sessions, fake).progress.publish_home(TEAM, ADMIN, berlin(2026, 1, 14, 0))
    home = json.dumps(fake.home_view(ADMIN))
    assert f"`{GENERAL_DENIED}`" in home and ONLY_ADMINS in home and "/interview resume" in home
