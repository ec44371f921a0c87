"""Enterprise Grid through the real bot process: a workspace-level install inside an org and an
org-wide install both work (commands and the clock use their tokens), until Slack says the app
was uninstalled or its token revoked; then the tokens are gone from the database, that
workspace's commands and scheduled posts stop quietly, and the other workspaces carry on.

The second start moves the process's wall clock with time-machine (a sitecustomize.py on its
PYTHONPATH) to a day when every channel's question is due."""

from __future__ import annotations

import re
from datetime import datetime
from functools import partial
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

from sqlalchemy import func, select, table, text

from bot.channels.schedule import parse_schedule
from bot.channels.service import ChannelService
from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.process import ROOT, SIGNING_SECRET, BotProcess
from storage.db import make_engine, make_session_factory
from storage.rounds import Round
from tests.helpers import BERLIN, eventually, get_page

CLIENT_ID, CLIENT_SECRET = "1111.2222", "oauth-client-secret"
PLAIN, GRID_WS, ORG_WS = "T0PLAIN", "T0GRIDWS", "T0ORGWS"
GRID, ORG = "E0GRID", "E0ORG"
CHANNEL_OF = {PLAIN: "CPLAIN", GRID_WS: "CGRIDWS", ORG_WS: "CORGWS"}
ADMIN_OF = {PLAIN: "UPLAINADM", GRID_WS: "WGRIDADM", ORG_WS: "WORGADM"}
# A Monday long after the first start: no round of that day exists yet.
DUE_DAY = datetime(2030, 1, 7, 9, 30, 20, tzinfo=BERLIN)

SITECUSTOMIZE = """
import os
import time_machine

_destination = os.environ.get("BOT_TEST_TRAVEL_TO")
if _destination:
    time_machine.travel(float(_destination), tick=True).start()
"""


def install(
    bot: BotProcess, fake: FakeSlack, team_id: str | None, enterprise_id: str | None
) -> str:
    """Slack's OAuth flow through the bot's /slack/install; returns the new token."""
    base = f"http://127.0.0.1:{bot.port}"
    status, page, headers = get_page(f"{base}/slack/install")
    assert status == 200
    link = re.search(r'href="([^"]+oauth/v2/authorize[^"]+)"', page)
    assert link is not None, page
    state = parse_qs(urlparse(unescape(link.group(1))).query)["state"][0]
    cookie = headers["Set-Cookie"].split(";")[0]
    code = fake.issue_oauth_code(team_id, enterprise_id=enterprise_id)
    status, page, _ = get_page(
        f"{base}/slack/oauth_redirect?{urlencode({'code': code, 'state': state})}", cookie
    )
    assert status == 200, page
    exchange = [c for c in fake.calls("oauth.v2.access") if c.status == 200][-1]
    assert exchange.response is not None
    return str(exchange.response["access_token"])


def driver(bot: BotProcess, fake: FakeSlack, team_id: str) -> SlackDriver:
    enterprise = {PLAIN: None, GRID_WS: GRID, ORG_WS: ORG}[team_id]
    return SlackDriver(
        bot.url,
        SIGNING_SECRET,
        fake,
        team_id=team_id,
        enterprise_id=enterprise,
        is_enterprise_install=team_id == ORG_WS,
    )


def posts_in(fake: FakeSlack, team_id: str) -> list[str | None]:
    """The tokens of the bot's successful posts in the workspace's channel."""
    channel = CHANNEL_OF[team_id]
    return [
        c.token
        for c in fake.calls("chat.postMessage")
        if c.args.get("channel") == channel and c.status == 200 and (c.response or {}).get("ok")
    ]


def stored_tokens(bot: BotProcess, team_id: str | None, enterprise_id: str | None) -> int:
    """Rows of the installation store holding a bot token for that workspace (or org)."""
    engine = make_engine(bot.db_url)
    try:
        with engine.connect() as conn:
            count = 0
            for name in ("slack_bots", "slack_installations"):
                rows = table(name)
                query = (
                    select(func.count())
                    .select_from(rows)
                    .where(
                        text(
                            "coalesce(team_id, '') = :team AND coalesce(enterprise_id, '') = :org"
                            " AND bot_token IS NOT NULL"
                        )
                    )
                )
                count += int(
                    conn.execute(
                        query, {"team": team_id or "", "org": enterprise_id or ""}
                    ).scalar()
                    or 0
                )
            return count
    finally:
        engine.dispose()


def test_grid_installs_work_until_slack_says_the_app_is_gone(
    fake: FakeSlack, tmp_path: Path
) -> None:
    fake.client_id, fake.client_secret = CLIENT_ID, CLIENT_SECRET
    for team_id, channel in CHANNEL_OF.items():
        fake.add_user(ADMIN_OF[team_id], f"admin-{team_id.lower()}", is_admin=True)
        fake.add_channel(channel, f"practice-{team_id.lower()}")
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
    bot = BotProcess(
        fake,
        tmp_path,
        SLACK_BOT_TOKEN="",
        SLACK_CLIENT_ID=CLIENT_ID,
        SLACK_CLIENT_SECRET=CLIENT_SECRET,
        SLACK_STATE_SECRET="state-secret",
        PYTHONPATH=f"{site}:{ROOT}",
    ).start()
    try:
        tokens = {
            PLAIN: install(bot, fake, PLAIN, enterprise_id=None),
            GRID_WS: install(bot, fake, GRID_WS, enterprise_id=GRID),
            ORG_WS: install(bot, fake, None, enterprise_id=ORG),  # org-wide: no team
        }
        fake.grant_org_teams(ORG, ORG_WS)  # the org's admins add it to a workspace

        # Each workspace runs a command; each post goes out with its own install's token.
        for team_id in CHANNEL_OF:
            driver(bot, fake, team_id).command(
                "now", user=ADMIN_OF[team_id], channel=CHANNEL_OF[team_id]
            )
            eventually(partial(posts_in, fake, team_id), timeout=20)
            assert posts_in(fake, team_id) == [tokens[team_id]]

        # The Grid workspace uninstalls the app; the org revokes its bot token.
        fake.uninstall(team_id=GRID_WS)
        assert driver(bot, fake, GRID_WS).event({"type": "app_uninstalled"}).status == 200
        fake.uninstall(enterprise_id=ORG)
        revoked = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": [fake.bot_user_id]}}
        assert driver(bot, fake, ORG_WS).event(revoked).status == 200
        eventually(lambda: stored_tokens(bot, GRID_WS, GRID) == 0, timeout=20)
        eventually(lambda: stored_tokens(bot, None, ORG) == 0, timeout=20)
        assert stored_tokens(bot, PLAIN, None) == 2  # its bot and installation rows
        gone = len(fake.calls())

        # Their commands post nothing; the plain workspace still works.
        for team_id in (GRID_WS, ORG_WS):
            driver(bot, fake, team_id).command(
                "reveal", user=ADMIN_OF[team_id], channel=CHANNEL_OF[team_id]
            )
        driver(bot, fake, PLAIN).command("reveal", user=ADMIN_OF[PLAIN], channel=CHANNEL_OF[PLAIN])
        eventually(lambda: len(posts_in(fake, PLAIN)) == 2, timeout=20)  # the reveal
        assert len(posts_in(fake, GRID_WS)) == len(posts_in(fake, ORG_WS)) == 1
        dead = (tokens[GRID_WS], tokens[ORG_WS])
        assert not [c.method for c in fake.calls()[gone:] if c.token in dead]
    finally:
        bot.stop()

    # A day when all three channels are due: only the plain workspace gets its question.
    sessions = make_session_factory(make_engine(bot.db_url))
    schedule = parse_schedule(["09:30", "Europe/Berlin", "daily"], "UTC")
    for team_id, channel in CHANNEL_OF.items():
        ChannelService(sessions).subscribe(
            team_id, channel, schedule, ADMIN_OF[team_id], DUE_DAY.replace(hour=8)
        )
    bot.env["BOT_TEST_TRAVEL_TO"] = str(DUE_DAY.timestamp())
    before = len(fake.calls())
    bot.start()
    try:
        eventually(lambda: len(posts_in(fake, PLAIN)) == 3, timeout=30)

        def settled() -> dict[str, tuple[str, str | None]]:
            with sessions.begin() as session:
                rows = session.scalars(select(Round).where(Round.local_date == DUE_DAY.date()))
                return {r.team_id: (r.status, r.error) for r in rows}

        expected = {
            PLAIN: ("open", None),
            GRID_WS: ("failed", "LookupError"),
            ORG_WS: ("failed", "LookupError"),
        }
        # Slack has the post a moment before the bot has saved it (claimed, then open).
        eventually(lambda: settled() == expected, timeout=30)
        later = fake.calls()[before:]
        assert not [c for c in later if c.token in (tokens[GRID_WS], tokens[ORG_WS])]
        assert "Traceback" not in bot.logs()
    finally:
        bot.stop()
        sessions.kw["bind"].dispose()
