"""The fake Slack's Enterprise Grid installs, as Slack documents them: `oauth.v2.access` names the
org (and no team for an org-wide install), `auth.test` names the org too, `auth.teams.list`
lists the workspaces an org granted the app, page by page, and an uninstalled app's tokens are
refused with `token_revoked`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.sandbox.fake_slack import FakeSlack


def exchange(fake: FakeSlack, code: str) -> dict[str, Any]:
    answer = WebClient(base_url=fake.api_url).oauth_v2_access(
        client_id="1.2", client_secret="s", code=code
    )
    assert isinstance(answer.data, dict)
    return answer.data


def error_of(call: Callable[[], object]) -> str:
    with pytest.raises(SlackApiError) as caught:
        call()
    return str(caught.value.response["error"])


def test_a_workspace_install_inside_an_org(fake: FakeSlack) -> None:
    answer = exchange(fake, fake.issue_oauth_code("T0GRIDWS", "Grid WS", enterprise_id="E0ORG"))
    assert answer["team"] == {"id": "T0GRIDWS", "name": "Grid WS"}
    assert answer["enterprise"] == {"id": "E0ORG", "name": "Org E0ORG"}
    assert answer["is_enterprise_install"] is False
    auth = WebClient(base_url=fake.api_url, token=answer["access_token"]).auth_test()
    assert (auth["team_id"], auth["enterprise_id"], auth["is_enterprise_install"]) == (
        "T0GRIDWS",
        "E0ORG",
        False,
    )


def test_an_org_wide_install_and_the_workspaces_it_was_granted(fake: FakeSlack) -> None:
    code = fake.issue_oauth_code(None, enterprise_id="E0ORG", enterprise_name="Starship")
    answer = exchange(fake, code)
    assert answer["team"] is None
    assert answer["enterprise"] == {"id": "E0ORG", "name": "Starship"}
    assert answer["is_enterprise_install"] is True
    org = WebClient(base_url=fake.api_url, token=answer["access_token"])
    auth = org.auth_test()
    assert (auth["team_id"], auth["enterprise_id"], auth["is_enterprise_install"]) == (
        "E0ORG",
        "E0ORG",
        True,
    )
    assert org.auth_teams_list()["teams"] == []

    fake.grant_org_teams("E0ORG", "T1", "T2", "T3")
    first = org.auth_teams_list(limit=2)
    assert [t["id"] for t in first["teams"]] == ["T1", "T2"]
    cursor = first["response_metadata"]["next_cursor"]
    rest = org.auth_teams_list(limit=2, cursor=cursor)
    assert [t["id"] for t in rest["teams"]] == ["T3"]
    assert rest["response_metadata"]["next_cursor"] == ""
    assert error_of(lambda: org.auth_teams_list(limit=0)) == "invalid_limit"
    assert error_of(lambda: org.auth_teams_list(cursor="nope")) == "invalid_cursor"
    # a workspace token sees its own workspace
    assert [
        t["id"]
        for t in WebClient(base_url=fake.api_url, token=fake.bot_token).auth_teams_list()["teams"]
    ] == [fake.team_id]


def test_an_org_wide_install_needs_its_org() -> None:
    with FakeSlack() as fake, pytest.raises(ValueError, match="enterprise_id"):
        fake.issue_oauth_code(None)


def test_uninstalled_tokens_are_refused_as_revoked(fake: FakeSlack) -> None:
    workspace = exchange(fake, fake.issue_oauth_code("T0GRIDWS", enterprise_id="E0ORG"))
    org = exchange(fake, fake.issue_oauth_code(None, enterprise_id="E0ORG"))

    assert fake.uninstall(enterprise_id="E0ORG") == 1  # the org-wide install only
    org_client = WebClient(base_url=fake.api_url, token=org["access_token"])
    assert error_of(org_client.auth_test) == "token_revoked"
    ws_client = WebClient(base_url=fake.api_url, token=workspace["access_token"])
    assert ws_client.auth_test()["ok"] is True

    assert fake.uninstall(team_id="T0GRIDWS") == 1
    assert error_of(ws_client.auth_test) == "token_revoked"
    assert error_of(WebClient(base_url=fake.api_url, token="xoxb-never").auth_test) == (
        "invalid_auth"
    )
