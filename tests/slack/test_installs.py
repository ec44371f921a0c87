"""Which token serves a workspace under OAuth, Enterprise Grid included, and what
`app_uninstalled` and `tokens_revoked` leave behind: on SQLite and PostgreSQL, against the fake
Slack's `oauth.v2.access` and `auth.teams.list`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import func, select

from bot.calibration.sessions import CalibrationService, Evidence, SessionPosted
from bot.channels.schedule import parse_schedule
from bot.channels.service import ChannelService
from bot.clock import Clock
from bot.config import Settings
from bot.questions.library import QuestionLibrary
from bot.rounds.service import RoundService, Started
from bot.sandbox.fake_slack import FakeSlack
from bot.slack.installs import ORG_TEAMS_TTL, SingleWorkspace, WorkspaceClients
from storage.db import make_engine, make_session_factory
from storage.rounds import Round
from tests.helpers import BANK, NOW

CLIENT_ID, CLIENT_SECRET = "1111.2222", "oauth-client-secret"
PLAIN, GRID_WS, ORG_WS, STRANGER = "T0PLAIN", "T0GRIDWS", "T0ORGWS", "T0STRANGER"
GRID, ORG = "E0GRID", "E0ORG"


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Setup:
    fake: FakeSlack
    store: SQLAlchemyInstallationStore
    clients: WorkspaceClients
    clock: Ticks

    def install(
        self, team_id: str | None, enterprise_id: str | None = None, by: str = "U0INSTALLER"
    ) -> str:
        """The OAuth exchange, saved the way Bolt's OAuth flow saves it; returns the token."""
        code = self.fake.issue_oauth_code(
            team_id, enterprise_id=enterprise_id, installer_user_id=by
        )
        answer = WebClient(base_url=self.fake.api_url).oauth_v2_access(
            client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code=code
        )
        token = str(answer["access_token"])
        auth = WebClient(base_url=self.fake.api_url, token=token).auth_test()
        enterprise, team = answer.get("enterprise") or {}, answer.get("team") or {}
        self.store.save(
            Installation(
                app_id=answer["app_id"],
                enterprise_id=enterprise.get("id"),
                enterprise_name=enterprise.get("name"),
                team_id=team.get("id"),
                team_name=team.get("name"),
                bot_token=token,
                bot_id=auth["bot_id"],
                bot_user_id=answer["bot_user_id"],
                bot_scopes=answer["scope"],
                user_id=answer["authed_user"]["id"],
                is_enterprise_install=answer["is_enterprise_install"],
                token_type=answer["token_type"],
            )
        )
        return token

    def rows(self, enterprise_id: str | None, team_id: str | None) -> int:
        count = 0
        with self.store.engine.connect() as conn:
            for table in (self.store.bots, self.store.installations):
                query = (
                    select(func.count())
                    .select_from(table)
                    .where(table.c.enterprise_id == enterprise_id, table.c.team_id == team_id)
                )
                count += int(conn.execute(query).scalar() or 0)
        return count

    def token_of(self, team_id: str) -> str | None:
        return self.clients(team_id).token


@pytest.fixture
def setup(database_url: str, fake: FakeSlack) -> Iterator[Setup]:
    fake.client_id, fake.client_secret = CLIENT_ID, CLIENT_SECRET
    engine = make_engine(database_url)
    store = SQLAlchemyInstallationStore(client_id=CLIENT_ID, engine=engine)
    settings = Settings(signing_secret="-", slack_api_url=fake.api_url)
    clock = Ticks()
    yield Setup(fake, store, WorkspaceClients(settings, store, clock), clock)
    engine.dispose()


def test_a_workspace_and_a_grid_workspace_each_find_their_own_token(setup: Setup) -> None:
    plain = setup.install(PLAIN)
    grid = setup.install(GRID_WS, enterprise_id=GRID)

    assert setup.token_of(PLAIN) == plain
    assert setup.token_of(GRID_WS) == grid  # saved under its org's id, found by its team id
    assert setup.clients(PLAIN) is setup.clients(PLAIN)  # one client per token
    for team in (STRANGER, ""):
        with pytest.raises(LookupError):
            setup.clients(team)
    assert setup.fake.calls("auth.teams.list") == []  # no org-wide install to ask


def test_a_reinstall_takes_over_from_the_old_token(setup: Setup) -> None:
    setup.install(GRID_WS, enterprise_id=GRID)
    newer = setup.install(GRID_WS, enterprise_id=GRID)
    assert setup.token_of(GRID_WS) == newer


def test_whoever_installed_stays_an_installer_when_someone_else_reinstalls(setup: Setup) -> None:
    setup.install(PLAIN, by="UFIRST")
    setup.install(PLAIN, by="USECOND")  # e.g. to grant a new scope
    setup.install(PLAIN, by="UFIRST")

    assert setup.clients.installers(PLAIN) == ("UFIRST", "USECOND")
    assert setup.clients.installers(STRANGER) == ()


def test_an_org_wide_install_serves_the_workspaces_its_org_granted(setup: Setup) -> None:
    org = setup.install(None, enterprise_id=ORG)
    setup.fake.grant_org_teams(ORG, ORG_WS)

    assert setup.token_of(ORG_WS) == org
    with pytest.raises(LookupError):
        setup.clients(STRANGER)
    assert setup.token_of(ORG_WS) == org
    assert len(setup.fake.calls("auth.teams.list")) == 1  # remembered for a while

    setup.fake.grant_org_teams(ORG, STRANGER)  # the admins add the app to another workspace
    with pytest.raises(LookupError):
        setup.clients(STRANGER)  # not known yet
    setup.clock.now += ORG_TEAMS_TTL
    assert setup.token_of(STRANGER) == org
    assert len(setup.fake.calls("auth.teams.list")) == 2


def test_a_workspace_s_own_install_comes_before_its_org_s(setup: Setup) -> None:
    setup.install(None, enterprise_id=ORG)
    setup.fake.grant_org_teams(ORG, ORG_WS)
    own = setup.install(ORG_WS, enterprise_id=ORG)
    assert setup.token_of(ORG_WS) == own
    assert setup.fake.calls("auth.teams.list") == []


def test_an_org_whose_token_slack_refuses_serves_no_workspace(setup: Setup) -> None:
    setup.install(None, enterprise_id=ORG)
    setup.fake.grant_org_teams(ORG, ORG_WS)
    setup.fake.uninstall(enterprise_id=ORG)  # Slack forgot it; the event never came
    with pytest.raises(LookupError):
        setup.clients(ORG_WS)
    [call] = setup.fake.calls("auth.teams.list")
    assert call.response == {"ok": False, "error": "token_revoked"}


def test_slack_down_while_asking_an_org_is_not_taken_for_no(setup: Setup) -> None:
    setup.install(None, enterprise_id=ORG)
    setup.fake.grant_org_teams(ORG, ORG_WS)
    setup.fake.fail_next("auth.teams.list", "fatal_error")
    with pytest.raises(Exception, match="fatal_error"):  # transient: retried by the caller
        setup.clients(ORG_WS)
    assert setup.token_of(ORG_WS) is not None


def test_app_uninstalled_deletes_the_workspace_s_tokens_only(setup: Setup) -> None:
    plain = setup.install(PLAIN)
    setup.install(GRID_WS, enterprise_id=GRID)
    setup.clients(GRID_WS)

    assert setup.clients.uninstalled(GRID, GRID_WS, org=False) == 1

    assert setup.rows(GRID, GRID_WS) == 0
    with pytest.raises(LookupError):
        setup.clients(GRID_WS)
    assert setup.token_of(PLAIN) == plain
    assert set(setup.clients._clients) == {plain}  # the dead client is dropped
    assert setup.clients.uninstalled(GRID, GRID_WS, org=False) == 0  # a redelivery: no-op


def test_a_workspace_that_joined_an_org_is_cleared_whatever_org_its_rows_name(
    setup: Setup,
) -> None:
    setup.install(GRID_WS)  # installed before the workspace joined the org
    setup.install(GRID_WS, enterprise_id=GRID)
    assert setup.clients.uninstalled(GRID, GRID_WS, org=False) == 2
    assert setup.rows(None, GRID_WS) == setup.rows(GRID, GRID_WS) == 0


def test_an_org_wide_uninstall_deletes_the_org_s_install(setup: Setup) -> None:
    setup.install(None, enterprise_id=ORG)
    grid = setup.install(GRID_WS, enterprise_id=GRID)
    setup.fake.grant_org_teams(ORG, ORG_WS)
    setup.clients(ORG_WS)

    # the event names a workspace of the org; the install is the org's, stored without a team
    assert setup.clients.uninstalled(ORG, ORG_WS, org=True) == 1

    assert setup.rows(ORG, None) == 0
    with pytest.raises(LookupError):
        setup.clients(ORG_WS)
    assert setup.token_of(GRID_WS) == grid


def test_tokens_revoked_deletes_the_bot_token_everywhere_it_is_kept(setup: Setup) -> None:
    setup.install(GRID_WS, enterprise_id=GRID)

    assert setup.clients.tokens_revoked(GRID, GRID_WS, org=False, bot=True, users=[]) == 1

    with pytest.raises(LookupError):
        setup.clients(GRID_WS)
    with setup.store.engine.connect() as conn:
        table = setup.store.installations
        tokens = conn.execute(select(table.c.bot_token).where(table.c.team_id == GRID_WS))
        assert [row[0] for row in tokens] == [None]  # the installation row stays, tokenless


def test_tokens_revoked_for_users_only_keeps_the_bot(setup: Setup) -> None:
    token = setup.install(PLAIN)
    assert setup.clients.tokens_revoked(None, PLAIN, org=False, bot=False, users=["U0X"]) == 0
    assert setup.token_of(PLAIN) == token


def test_a_single_workspace_bot_stops_once_slack_says_it_was_removed(fake: FakeSlack) -> None:
    client = WebClient(token=fake.bot_token, base_url=fake.api_url)
    single = SingleWorkspace(client)
    assert single("T0TEAM") is client
    assert single.tokens_revoked(None, "T0TEAM", org=False, bot=False, users=["U1"]) == 0
    assert single("T0TEAM") is client
    assert single.uninstalled(None, "T0TEAM", org=False) == 1
    with pytest.raises(LookupError):
        single("T0TEAM")


def test_the_clock_carries_on_for_the_others_once_a_workspace_removed_the_app(
    setup: Setup, database_url: str
) -> None:
    """Reminders, calibration closes and reveals of the removed workspace end quietly; the other
    workspace gets all of them, from the same ticks."""
    sessions = make_session_factory(setup.store.engine)
    library = QuestionLibrary(sessions, BANK)
    rounds = RoundService(sessions, library, setup.clients)
    calibration = CalibrationService(sessions, library, setup.clients)
    clock = Clock(sessions, rounds, None, lambda: NOW, calibration)
    channels = ChannelService(sessions)
    schedule = parse_schedule(
        ["09:30", "Europe/Berlin", "weekdays", "reveal", "16:00"], "UTC", BANK.categories()
    )
    question = next(q for q in BANK.questions if q.can_calibrate and q.specimens)
    tokens = {PLAIN: setup.install(PLAIN), GRID_WS: setup.install(GRID_WS, enterprise_id=GRID)}
    for team_id in tokens:
        channel = f"C{team_id}"
        setup.fake.add_channel(channel, channel.lower())
        channels.subscribe(team_id, channel, schedule, "UADMIN", NOW)
        channels.set_reminder(team_id, channel, 60, "UADMIN", NOW)
        assert isinstance(rounds.start_now(team_id, channel, NOW), Started)
        evidence = calibration.specimen_evidence(team_id, question, 1)
        assert isinstance(evidence, Evidence)
        started = calibration.start(
            team_id, channel, question, evidence, timedelta(hours=1), "UADMIN", NOW
        )
        assert isinstance(started, SessionPosted)

    setup.clients.uninstalled(GRID, GRID_WS, org=False)
    setup.fake.uninstall(team_id=GRID_WS)
    gone = len(setup.fake.calls())

    afternoon = clock.tick(NOW + timedelta(hours=7, minutes=30))  # 15:30 Berlin
    evening = clock.tick(NOW + timedelta(hours=8, minutes=30))  # after the 16:00 reveal

    assert len(afternoon.reminded) == len(afternoon.closed_sessions) // 2 == 1
    assert len(evening.revealed) == 1
    with sessions.begin() as session:
        failed = session.scalars(select(Round).where(Round.team_id == GRID_WS)).one()
        assert (failed.status, failed.error) == ("reveal_failed", "LookupError")
    later = setup.fake.calls()[gone:]
    assert {c.token for c in later if c.token} == {tokens[PLAIN]}
    # the plain workspace's reminder, session reveal, manager's detail and round reveal
    posted_to = [c.args.get("channel") for c in later if c.method == "chat.postMessage"]
    assert set(posted_to) == {f"C{PLAIN}", "UADMIN"} and posted_to.count(f"C{PLAIN}") == 3
