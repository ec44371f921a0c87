"""When Slack refuses for good (a missing permission, an archived channel, a workspace setting),
the person is told what to change, not to try again: trying again changes nothing."""

from __future__ import annotations

import pytest

from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.process import ADMIN, ALICE
from bot.slack.errors import PERMANENT, what_to_fix
from tests.helpers import run


@pytest.mark.parametrize("error", PERMANENT)
def test_every_permanent_error_says_what_to_fix_not_to_try_again(error: str) -> None:
    fix = what_to_fix(error)
    assert "try again" not in fix.lower() and "logged" not in fix


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
