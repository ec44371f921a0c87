"""The Home tab shows a private channel's schedule only to admins and to the people who
practise there, not to every member of the workspace."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.channels.schedule import parse_schedule
from bot.channels.service import ChannelService
from bot.progress.service import ProgressService
from bot.questions.library import QuestionLibrary
from bot.sandbox.fake_slack import FakeSlack
from bot.slack.channels import ChannelDirectory
from tests.helpers import ADMIN, ALICE, BANK, TEAM, Sessions, client_for

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def home_text(sessions: Sessions, fake: FakeSlack, user: str, is_admin: bool) -> str:
    clients = client_for(fake)
    progress = ProgressService(
        sessions,
        QuestionLibrary(sessions, BANK),
        ChannelService(sessions),
        clients,
        ChannelDirectory(clients),
    )
    return json.dumps(progress.home(TEAM, user, is_admin, NOW, "help"))


def test_a_private_channels_schedule_is_hidden_from_members_who_do_not_practise_there(
    sessions: Sessions, fake: FakeSlack
) -> None:
    fake.add_channel("CPUBLIC", "public")
    fake.add_channel("CSECRET", "hiring-panel", is_private=True)
    channels = ChannelService(sessions)
    for channel in ("CPUBLIC", "CSECRET"):
        schedule = parse_schedule(["09:30", "Europe/Berlin"], "UTC")
        channels.subscribe(TEAM, channel, schedule, ADMIN, NOW)

    member = home_text(sessions, fake, ALICE, is_admin=False)
    assert "CPUBLIC" in member and "CSECRET" not in member
    assert "CSECRET" in home_text(sessions, fake, ADMIN, is_admin=True)
