"""Tokens and installs: ``auth.test`` (Bolt calls it itself), ``oauth.v2.access`` and, for an
Enterprise Grid org-wide install, ``auth.teams.list`` (the workspaces the org granted it)."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from typing import Any

from bot.sandbox.fake_slack.conversations import ConversationsApi
from bot.sandbox.fake_slack.records import (
    DEFAULT_SCOPE,
    ApiError,
    ApiRequest,
    Handler,
    Install,
    domain,
    str_arg,
)


@dataclass
class _OAuthGrant:
    install: Install
    redirect_uri: str | None


class OAuthApi(ConversationsApi):
    """Single-use OAuth codes that ``oauth.v2.access`` exchanges for new bot tokens."""

    def _init_state(self) -> None:
        super()._init_state()
        self._oauth_codes: dict[str, _OAuthGrant] = {}
        self._org_teams: dict[str, list[str]] = {}  # enterprise id -> workspaces granted

    def _api_methods(self) -> dict[str, Handler]:
        return {
            **super()._api_methods(),
            "auth.teams.list": self._auth_teams_list,
            "auth.test": self._auth_test,
            "oauth.v2.access": self._oauth_v2_access,
        }

    def issue_oauth_code(
        self,
        team_id: str | None,
        team_name: str | None = None,
        *,
        installer_user_id: str = "U0INSTALLER",
        bot_user_id: str | None = None,
        bot_id: str | None = None,
        scope: str = DEFAULT_SCOPE,
        redirect_uri: str | None = None,
        enterprise_id: str | None = None,
        enterprise_name: str | None = None,
    ) -> str:
        """A single-use code that oauth.v2.access exchanges for a new bot token of ``team_id``.

        With ``enterprise_id`` the workspace belongs to an Enterprise Grid org; with
        ``team_id=None`` too, the app is installed org-wide (Slack answers ``team: null`` and
        ``is_enterprise_install: true``); :meth:`grant_org_teams` then adds it to workspaces.
        """
        if team_id is None and enterprise_id is None:
            raise ValueError("an org-wide install (team_id=None) needs its enterprise_id")
        code = f"{secrets.randbelow(10**12):012d}.{secrets.randbelow(10**12):012d}."
        code += secrets.token_hex(32)
        with self._lock:
            org_name = enterprise_name or (f"Org {enterprise_id}" if enterprise_id else None)
            if team_id is None:
                assert enterprise_id is not None and org_name is not None
                holder, name = enterprise_id, org_name
            else:
                holder, name = team_id, team_name or self._teams.get(team_id) or f"Team {team_id}"
                self._teams[team_id] = name
            self._oauth_codes[code] = _OAuthGrant(
                install=Install(
                    team_id=holder,
                    team_name=name,
                    bot_user_id=bot_user_id or self.bot_user_id,
                    bot_id=bot_id or self.bot_id,
                    app_id=self.app_id,
                    scope=scope,
                    installer_user_id=installer_user_id,
                    enterprise_id=enterprise_id,
                    enterprise_name=org_name,
                    is_enterprise_install=team_id is None,
                ),
                redirect_uri=redirect_uri,
            )
        return code

    def grant_org_teams(self, enterprise_id: str, *team_ids: str) -> None:
        """An org admin adds the org-wide app to these workspaces (``auth.teams.list``)."""
        with self._lock:
            granted = self._org_teams.setdefault(enterprise_id, [])
            granted += [t for t in team_ids if t not in granted]
            for team_id in team_ids:
                self._teams.setdefault(team_id, f"Team {team_id}")

    def uninstall(self, *, team_id: str | None = None, enterprise_id: str | None = None) -> int:
        """The app is uninstalled: every token of that workspace (``team_id``) or of that org's
        org-wide install (``enterprise_id`` alone) answers ``token_revoked`` from now on.
        Returns how many tokens were revoked."""
        with self._lock:
            gone = [
                token
                for token, install in self._tokens.items()
                if (team_id is not None and install.team_id == team_id)
                or (
                    team_id is None
                    and install.is_enterprise_install
                    and install.enterprise_id == enterprise_id
                )
            ]
            for token in gone:
                del self._tokens[token]
                self._revoked_tokens.add(token)
            return len(gone)

    # ---------------------------------------------------------------- methods (lock held)

    def _auth_test(self, request: ApiRequest) -> dict[str, Any]:
        install = request.bot
        answer = {
            "url": f"https://{domain(install.team_name)}.slack.com/",
            "team": install.team_name,
            "user": self.user_name(install.bot_user_id) or self.bot_name,
            "team_id": install.team_id,
            "user_id": install.bot_user_id,
            "bot_id": install.bot_id,
            "is_enterprise_install": install.is_enterprise_install,
        }
        if install.enterprise_id is not None:  # a Grid token also names its org
            answer["enterprise_id"] = install.enterprise_id
        return answer

    def _auth_teams_list(self, request: ApiRequest) -> dict[str, Any]:
        """The workspaces an org-wide install was granted; a workspace token sees its own."""
        install = request.bot
        limit_arg = str_arg(request.args, "limit")
        if limit_arg is not None and not (limit_arg.isdigit() and 1 <= int(limit_arg) <= 1000):
            raise ApiError("invalid_limit")
        limit = int(limit_arg) if limit_arg is not None else 100
        cursor = str_arg(request.args, "cursor")
        if install.is_enterprise_install and install.enterprise_id is not None:
            team_ids = list(self._org_teams.get(install.enterprise_id, []))
        else:
            team_ids = [install.team_id]
        start = 0
        if cursor is not None:
            if not (cursor.startswith("team_") and cursor[5:].isdigit()):
                raise ApiError("invalid_cursor")
            start = int(cursor[5:])
        page = team_ids[start : start + limit]
        more = start + limit < len(team_ids)
        return {
            "teams": [{"id": t, "name": self._teams.get(t, f"Team {t}")} for t in page],
            "response_metadata": {"next_cursor": f"team_{start + limit}" if more else ""},
        }

    def _oauth_v2_access(self, request: ApiRequest) -> dict[str, Any]:
        if request.basic_auth is None or not request.basic_auth[0]:
            raise ApiError("invalid_client_id")
        client_id, client_secret = request.basic_auth
        if self.client_id is not None and client_id != self.client_id:
            raise ApiError("invalid_client_id")
        if not client_secret or (
            self.client_secret is not None and client_secret != self.client_secret
        ):
            raise ApiError("bad_client_secret")
        code = str(request.args["code"])
        grant = self._oauth_codes.get(code)
        if grant is None:
            raise ApiError("invalid_code")
        redirect_uri = str_arg(request.args, "redirect_uri")
        if grant.redirect_uri is not None and redirect_uri != grant.redirect_uri:
            raise ApiError("bad_redirect_uri")
        del self._oauth_codes[code]
        install = grant.install
        token = f"xoxb-{secrets.randbelow(10**12):012d}-{secrets.randbelow(10**13):013d}-"
        token += "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(24))
        self._tokens[token] = install
        if install.bot_user_id not in self._users:
            self._add_user_locked(
                install.bot_user_id,
                self.bot_name,
                is_bot=True,
                tz="UTC",
                team_id=install.team_id,
            )
        org = install.is_enterprise_install
        return {
            "app_id": install.app_id,
            "authed_user": {"id": install.installer_user_id},
            "scope": install.scope,
            "token_type": "bot",
            "access_token": token,
            "bot_user_id": install.bot_user_id,
            # an org-wide install belongs to no one workspace
            "team": None if org else {"id": install.team_id, "name": install.team_name},
            "enterprise": (
                {"id": install.enterprise_id, "name": install.enterprise_name}
                if install.enterprise_id is not None
                else None
            ),
            "is_enterprise_install": org,
        }
