"""Multi-workspace distribution: Slack's OAuth install flow, then the bot works in that workspace."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.process import SIGNING_SECRET, BotProcess, eventually
from tests.helpers import get_page

NEW_TEAM, NEW_ADMIN, NEW_CHANNEL = "T0NEWCO", "UNEWADMIN", "CNEWCO"
CLIENT_ID, CLIENT_SECRET = "1111.2222", "oauth-client-secret"


def test_install_flow_then_a_round_in_the_new_workspace(fake: FakeSlack, tmp_path: Path) -> None:
    fake.client_id, fake.client_secret = CLIENT_ID, CLIENT_SECRET
    bot = BotProcess(
        fake,
        tmp_path,
        SLACK_BOT_TOKEN="",
        SLACK_CLIENT_ID=CLIENT_ID,
        SLACK_CLIENT_SECRET=CLIENT_SECRET,
        SLACK_STATE_SECRET="state-secret",
    ).start()
    try:
        base = f"http://127.0.0.1:{bot.port}"
        status, page, headers = get_page(f"{base}/slack/install")
        assert status == 200
        link = re.search(r'href="([^"]+oauth/v2/authorize[^"]+)"', page)
        assert link is not None, page
        authorize = unescape(link.group(1))
        query = parse_qs(urlparse(authorize).query)
        assert query["client_id"] == [CLIENT_ID]
        assert "chat:write" in query["scope"][0] and "commands" in query["scope"][0]
        state = query["state"][0]
        cookie = headers["Set-Cookie"].split(";")[0]

        # A forged state is refused.
        code = fake.issue_oauth_code(NEW_TEAM, "Newco", installer_user_id=NEW_ADMIN)
        status, _, _ = get_page(
            f"{base}/slack/oauth_redirect?{urlencode({'code': code, 'state': 'x'})}"
        )
        assert status >= 400

        code = fake.issue_oauth_code(NEW_TEAM, "Newco", installer_user_id=NEW_ADMIN)
        url = f"{base}/slack/oauth_redirect?{urlencode({'code': code, 'state': state})}"
        status, page, headers = get_page(url, cookie)
        assert status == 200, page
        # The page says what to do next, and the state cookie is cleared as Bolt does.
        assert "What to do next" in page and "/invite @interview-practice" in page
        assert "Set up the daily question" in page
        assert f"slack://app?team={NEW_TEAM}&amp;id=" in page
        assert (
            "Max-Age=0" in headers.get("Set-Cookie", "")
            or "expires" in headers.get("Set-Cookie", "").lower()
        )
        [exchange] = [c for c in fake.calls("oauth.v2.access") if c.status == 200]
        assert exchange.response is not None
        new_token = exchange.response["access_token"]

        # The new workspace uses the bot with its own token; its installer, no workspace admin
        # in Slack, is an admin of the bot there.
        fake.add_user(NEW_ADMIN, "nadia", is_admin=False)
        fake.add_channel(NEW_CHANNEL, "practice")
        slack = SlackDriver(bot.url, SIGNING_SECRET, fake, team_id=NEW_TEAM)
        slack.command("now", user=NEW_ADMIN, channel=NEW_CHANNEL)
        [post] = eventually(lambda: fake.calls("chat.postMessage"))
        assert post.args["channel"] == NEW_CHANNEL
        assert post.token == new_token
        [rnd] = bot.export()["rounds"]
        assert rnd["channel"] == NEW_CHANNEL

        # A workspace that never installed gets nothing posted, and the bot stays up.
        stranger = SlackDriver(bot.url, SIGNING_SECRET, fake, team_id="T0STRANGER")
        stranger.command("now", user=NEW_ADMIN, channel=NEW_CHANNEL)
        assert len(fake.calls("chat.postMessage")) == 1
        assert get_page(f"{base}/healthz")[0] == 200
    finally:
        bot.stop()
