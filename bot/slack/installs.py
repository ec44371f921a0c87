"""Which bot token serves a workspace, and what a workspace removing the app does to it.

Multi-workspace installs (Slack's OAuth flow) are rows of slack_sdk's SQLAlchemy installation
store. A team id finds its token in this order:

1. the workspace's own install: a bot row with that team id. A workspace outside Enterprise Grid
   has no enterprise id; a workspace-level install inside a Grid org stores the org's id beside
   the team id. Team ids are unique across Slack, so the team id alone finds either (the newest
   install wins: a workspace that joined an org after installing keeps its team id).
2. an org-wide install of a Grid org (team id None, enterprise id set): the team belongs to it
   when the org's admins granted the app that workspace, which `auth.teams.list` (asked with the
   org's token, remembered for a minute) says. Nothing in the database maps a team to its org,
   and a clock process never sees a request that would tell it, so Slack is asked.

`app_uninstalled` and `tokens_revoked` delete the rows (through the store's delete methods) and
drop the cached clients; the next lookup for that workspace raises LookupError, which the
services treat as a permanent refusal, so scheduled posts stop without retrying.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

import sqlalchemy
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store.models.bot import Bot

from bot.config import Settings
from bot.slack.clients import make_client

if TYPE_CHECKING:  # the store pulls in sqlalchemy.ext.asyncio: only OAuth installs need it
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

log = logging.getLogger(__name__)

# How long the workspaces an org-wide install was granted are trusted before Slack is asked
# again (auth.teams.list is Tier 2: 20+ calls a minute).
ORG_TEAMS_TTL = 60.0
# auth.teams.list answers meaning the org's token is dead: it serves no workspace.
DEAD_TOKEN = ("invalid_auth", "token_revoked", "account_inactive", "not_authed")


class Installations(Protocol):
    """The client of a workspace, and what happens when a workspace removes the app."""

    def __call__(self, team_id: str) -> WebClient: ...

    def uninstalled(self, enterprise_id: str | None, team_id: str | None, *, org: bool) -> int:
        """`app_uninstalled`: forget every token of the workspace (or org); how many went."""
        ...

    def installers(self, team_id: str) -> tuple[str, ...]:
        """Who installed the app in the workspace, the latest first (bot admins there)."""
        ...

    def tokens_revoked(
        self,
        enterprise_id: str | None,
        team_id: str | None,
        *,
        org: bool,
        bot: bool,
        users: Sequence[str],
    ) -> int:
        """`tokens_revoked`: forget the bot token (`bot`) and the users' tokens."""
        ...


class SingleWorkspace:
    """The one client of a single-workspace bot (SLACK_BOT_TOKEN). Once Slack says the app was
    uninstalled or its token revoked, lookups raise LookupError: the token is dead, and a new
    one needs a new SLACK_BOT_TOKEN and a restart."""

    def __init__(self, client: WebClient) -> None:
        self.client = client
        self.removed = False

    def __call__(self, team_id: str) -> WebClient:
        if self.removed:
            raise LookupError(f"the app was removed from workspace {team_id}")
        return self.client

    def uninstalled(self, enterprise_id: str | None, team_id: str | None, *, org: bool) -> int:
        self._remove(team_id, "app uninstalled")
        return 1

    def installers(self, team_id: str) -> tuple[str, ...]:
        """A token names no installer: the operator lists the bot's admins in INTERVIEW_ADMINS."""
        return ()

    def tokens_revoked(
        self,
        enterprise_id: str | None,
        team_id: str | None,
        *,
        org: bool,
        bot: bool,
        users: Sequence[str],
    ) -> int:
        if not bot:
            return 0
        self._remove(team_id, "bot token revoked")
        return 1

    def _remove(self, team_id: str | None, why: str) -> None:
        self.removed = True
        log.warning(
            f"{why}: nothing more is sent to Slack until SLACK_BOT_TOKEN is replaced",
            extra={"team": team_id},
        )


class WorkspaceClients:
    """A Web API client per workspace, with the bot token saved when it (or its Grid org)
    installed the app; see the module docstring for how a team id finds its token."""

    def __init__(
        self,
        settings: Settings,
        store: SQLAlchemyInstallationStore,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock
        self._clients: dict[str, WebClient] = {}  # bot token -> its client
        # enterprise id -> (the org token asked, when, the workspaces it was granted)
        self._granted: dict[str, tuple[str, float, frozenset[str]]] = {}
        self._lock = threading.Lock()

    def __call__(self, team_id: str) -> WebClient:
        bot = (self._workspace_bot(team_id) or self._org_bot(team_id)) if team_id else None
        if bot is None or not bot.bot_token:
            raise LookupError(f"workspace {team_id} has not installed the app")
        return self._client(bot.bot_token)

    # -- finding the token ------------------------------------------------------------------

    def _workspace_bot(self, team_id: str) -> Bot | None:
        """The newest bot row of the workspace's own install, inside a Grid org or not."""
        c = self.store.bots.c
        query = (
            self.store.bots.select()
            .where(
                c.client_id == self.store.client_id,
                c.team_id == team_id,
                c.bot_token.is_not(None),
            )
            .order_by(c.installed_at.desc())
            .limit(1)
        )
        with self.store.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return self.store.build_bot_entity(row) if row is not None else None

    def _org_bots(self) -> list[Bot]:
        """The newest bot row of each org-wide install."""
        c = self.store.bots.c
        query = (
            self.store.bots.select()
            .where(
                c.client_id == self.store.client_id,
                c.team_id.is_(None),
                c.enterprise_id.is_not(None),
                c.bot_token.is_not(None),
            )
            .order_by(c.installed_at.desc())
        )
        newest: dict[str, Bot] = {}
        with self.store.engine.connect() as conn:
            for row in conn.execute(query).mappings():
                newest.setdefault(str(row["enterprise_id"]), self.store.build_bot_entity(row))
        return list(newest.values())

    def _org_bot(self, team_id: str) -> Bot | None:
        """The org-wide install whose org granted the app this workspace, if any."""
        for bot in self._org_bots():
            if bot.enterprise_id and team_id in self._granted_teams(bot.enterprise_id, bot):
                return bot
        return None

    def _granted_teams(self, enterprise_id: str, bot: Bot) -> frozenset[str]:
        token = bot.bot_token or ""
        with self._lock:
            cached = self._granted.get(enterprise_id)
        if cached is not None and cached[0] == token and self.clock() - cached[1] < ORG_TEAMS_TTL:
            return cached[2]
        teams = self._ask_granted_teams(enterprise_id, token)
        with self._lock:
            self._granted[enterprise_id] = (token, self.clock(), teams)
        return teams

    def _ask_granted_teams(self, enterprise_id: str, token: str) -> frozenset[str]:
        """Every workspace the org-wide install may act in (auth.teams.list, all pages). A dead
        token serves none; Slack being down raises, so the caller's retry rules apply."""
        client, teams, cursor = self._client(token), set[str](), None
        try:
            while True:
                page = client.auth_teams_list(limit=1000, cursor=cursor)
                teams |= {str(t["id"]) for t in page.get("teams") or []}
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    return frozenset(teams)
        except SlackApiError as exc:
            if exc.response.get("error") not in DEAD_TOKEN:
                raise
            log.warning(
                "org-wide install's token refused; it serves no workspace",
                extra={"enterprise": enterprise_id, "error": exc.response.get("error")},
            )
            return frozenset()

    def _client(self, token: str) -> WebClient:
        with self._lock:
            client = self._clients.get(token)
            if client is None:
                client = self._clients[token] = make_client(self.settings, token)
            return client

    def installers(self, team_id: str) -> tuple[str, ...]:
        """Everyone who installed the app in the workspace, the latest first: a reinstall by
        someone else (to grant a new scope, say) takes no one's rights away. For a workspace
        with no install of its own, those of its org-wide install."""
        c = self.store.installations.c
        mine = (c.client_id == self.store.client_id) & (c.team_id == team_id)
        found = self._installers_where(mine)
        if found:
            return found
        org = self._org_bot(team_id)
        if org is None or not org.enterprise_id:
            return ()
        return self._installers_where(
            (c.client_id == self.store.client_id)
            & (c.enterprise_id == org.enterprise_id)
            & c.team_id.is_(None)
        )

    def _installers_where(self, where: sqlalchemy.ColumnElement[bool]) -> tuple[str, ...]:
        c = self.store.installations.c
        query = sqlalchemy.select(c.user_id).where(where).order_by(c.installed_at.desc())
        with self.store.engine.connect() as conn:
            users = conn.execute(query).scalars().all()
        return tuple(dict.fromkeys(str(u) for u in users if u))

    # -- the app removed ----------------------------------------------------------------------

    def uninstalled(self, enterprise_id: str | None, team_id: str | None, *, org: bool) -> int:
        """Delete every installation and bot row of the workspace (of the org, for an org-wide
        install) and drop their clients; returns how many bot tokens went."""
        places = self._places(enterprise_id, team_id, org=org)
        tokens = self._bot_tokens(places)
        for place_enterprise, place_team in places:
            self.store.delete_all(enterprise_id=place_enterprise, team_id=place_team)
        self._forget(tokens, enterprise_id if org else None)
        log.info(
            "app uninstalled: tokens deleted",
            extra={"enterprise": enterprise_id, "team": team_id, "org": org, "tokens": len(tokens)},
        )
        return len(tokens)

    def tokens_revoked(
        self,
        enterprise_id: str | None,
        team_id: str | None,
        *,
        org: bool,
        bot: bool,
        users: Sequence[str],
    ) -> int:
        """Delete the revoked tokens: the users' installations, and with `bot` the bot rows and
        the bot token the installation rows still hold. Returns how many bot tokens went."""
        places = self._places(enterprise_id, team_id, org=org)
        for place_enterprise, place_team in places:
            for user_id in users:
                self.store.delete_installation(
                    enterprise_id=place_enterprise, team_id=place_team, user_id=user_id
                )
        if not bot:
            return 0
        tokens = self._bot_tokens(places)
        for place_enterprise, place_team in places:
            self.store.delete_bot(enterprise_id=place_enterprise, team_id=place_team)
            self._clear_installation_bot_token(place_enterprise, place_team)
        self._forget(tokens, enterprise_id if org else None)
        log.info(
            "bot token revoked: deleted",
            extra={"enterprise": enterprise_id, "team": team_id, "org": org, "tokens": len(tokens)},
        )
        return len(tokens)

    def _places(
        self, enterprise_id: str | None, team_id: str | None, *, org: bool
    ) -> list[tuple[str | None, str | None]]:
        """The (enterprise id, team id) pairs the store keeps the install under. An org-wide
        install is the org's row; a workspace's rows are found by team id, whatever org they
        were saved under (so a workspace that joined an org is cleared entirely)."""
        if org:
            return [(enterprise_id, None)] if enterprise_id else []
        if not team_id:
            return []
        found: set[tuple[str | None, str | None]] = {(enterprise_id, team_id)}
        with self.store.engine.connect() as conn:
            for table in (self.store.bots, self.store.installations):
                query = sqlalchemy.select(table.c.enterprise_id).where(
                    table.c.client_id == self.store.client_id, table.c.team_id == team_id
                )
                found |= {(row[0], team_id) for row in conn.execute(query.distinct())}
        return sorted(found, key=lambda place: (place[0] or "", place[1] or ""))

    def _bot_tokens(self, places: Sequence[tuple[str | None, str | None]]) -> set[str]:
        tokens: set[str] = set()
        with self.store.engine.connect() as conn:
            for table in (self.store.bots, self.store.installations):
                for enterprise_id, team_id in places:
                    query = sqlalchemy.select(table.c.bot_token).where(
                        table.c.client_id == self.store.client_id,
                        table.c.enterprise_id == enterprise_id,
                        table.c.team_id == team_id,
                        table.c.bot_token.is_not(None),
                    )
                    tokens |= {str(row[0]) for row in conn.execute(query)}
        return tokens

    def _clear_installation_bot_token(self, enterprise_id: str | None, team_id: str | None) -> None:
        """The installation rows keep a copy of the bot token; a revoked one is deleted too."""
        c = self.store.installations.c
        with self.store.engine.begin() as conn:
            conn.execute(
                self.store.installations.update()
                .where(
                    c.client_id == self.store.client_id,
                    c.enterprise_id == enterprise_id,
                    c.team_id == team_id,
                )
                .values(bot_token=None, bot_refresh_token=None, bot_token_expires_at=None)
            )

    def _forget(self, tokens: set[str], enterprise_id: str | None) -> None:
        with self._lock:
            for token in tokens:
                self._clients.pop(token, None)
            if enterprise_id is not None:
                self._granted.pop(enterprise_id, None)
