"""A channel the bot paused itself tells its admins, on the Home tab, what to change for the
error Slack gave: inviting the bot again is the fix only when it was removed."""

from __future__ import annotations

import json
from datetime import time

import pytest

from bot.channels.schedule import Schedule
from bot.progress.render import ChannelProgress, home_view

SCHEDULE = Schedule(time(9, 30), "Europe/Berlin")


def home_text(reason: str, *, is_admin: bool = True) -> str:
    entry = ChannelProgress("C1", SCHEDULE, paused=True, paused_reason=reason)
    return json.dumps(home_view([entry], is_admin, "help"))


@pytest.mark.parametrize(
    ("reason", "fix"),
    [
        ("not_in_channel", "/invite @interview-practice"),
        ("is_archived", "unarchive it"),
        ("channel_not_found", "deleted, or it is private"),
    ],
)
def test_the_home_tab_says_what_to_change_for_the_error_then_resume(reason: str, fix: str) -> None:
    text = home_text(reason)
    assert f"`{reason}`" in text and fix in text and "/interview resume" in text


def test_an_archived_channel_is_not_told_to_invite_the_bot() -> None:
    assert "/invite" not in home_text("is_archived")


def test_only_admins_see_why() -> None:
    assert "is_archived" not in home_text("is_archived", is_admin=False)
