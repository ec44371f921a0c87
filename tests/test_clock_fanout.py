"""The morning fan-out: many workspaces due in the same minute, Slack limiting each workspace's
pace with 429 and Retry-After. Every channel gets its question exactly once, and one workspace
waiting out its limit does not hold up the others."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.channels.schedule import parse_schedule
from bot.channels.service import ChannelService
from bot.clock import Clock
from bot.rounds.service import RoundService
from bot.sandbox.fake_slack import FakeSlack, Rate
from bot.slack.clients import retry_handlers
from tests.helpers import ADMIN, BANK, Sessions, top_level, utc

BUSY, QUIET = "T0BUSY", "T0QUIET"  # the busy workspace sorts first: a serial clock serves it first


def installed(fake: FakeSlack, team_id: str) -> WebClient:
    """The workspace installs the app (OAuth); its client, with the bot's retry policy."""
    code = fake.issue_oauth_code(team_id)
    answer = WebClient(base_url=fake.api_url).oauth_v2_access(
        client_id="1.2", client_secret="s", code=code
    )
    token = str(answer["access_token"])
    return WebClient(token=token, base_url=fake.api_url, retry_handlers=retry_handlers())


def test_a_rate_limited_workspace_waits_alone_and_every_channel_is_posted_once(
    sessions: Sessions, fake: FakeSlack
) -> None:
    fake.client_id, fake.client_secret = "1.2", "s"
    clients = {team: installed(fake, team) for team in (BUSY, QUIET)}
    channels = {BUSY: ["CBUSY1", "CBUSY2", "CBUSY3", "CBUSY4"], QUIET: ["CQUIET"]}
    schedule = parse_schedule(["09:00", "UTC", "daily"], "UTC", BANK.categories())
    for team, team_channels in channels.items():
        for channel in team_channels:
            fake.add_channel(channel, channel.lower())
            ChannelService(sessions).subscribe(team, channel, schedule, ADMIN, utc(2026, 3, 1))
    # two posts at once, then one a second: the busy workspace's third post gets a 429
    fake.limit_rate("chat.postMessage", per_workspace=Rate(1.0, 2))
    clock = Clock(sessions, RoundService(sessions, BANK, lambda team: clients[team]))

    report = clock.tick(utc(2026, 3, 2, 9, 0))

    everyone = [c for team_channels in channels.values() for c in team_channels]
    assert sorted(report.posted) == sorted(everyone)
    assert all(len(top_level(fake, channel)) == 1 for channel in everyone)
    posts = fake.calls("chat.postMessage")
    refused = [c for c in posts if c.status == 429]
    assert refused and all(c.args["channel"].startswith("CBUSY") for c in refused)
    landed = [str(c.args["channel"]) for c in posts if c.status == 200]
    # the quiet workspace's question went out while the busy one waited out its Retry-After
    assert landed.index("CQUIET") < landed.index("CBUSY4")
