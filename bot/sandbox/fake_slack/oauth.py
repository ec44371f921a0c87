"""Tokens and installs: ``auth.test`` (Bolt calls it itself) and ``oauth.v2.access``."""

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

    def _api_methods(self) -> dict[str, Handler]:
        return {
            **super()._api_methods(),
            "auth.test": self._auth_test,
            "oauth.v2.access": self._oauth_v2_access,
        }

    def issue_oauth_code(
        self,
        team_id: str,
        team_name: str | None = None,
        *,
        installer_user_id: str = "U0INSTALLER",
        bot_user_id: str | None = None,
        bot_id: str | None = None,
        scope: str = DEFAULT_SCOPE,
        redirect_uri: str | None = None,
    ) -> str:
        """A single-use code that oauth.v2.access exchanges for a new bot token of ``team_id``."""
        code = f"{secrets.randbelow(10**12):012d}.{secrets.randbelow(10**12):012d}."
        code += secrets.token_hex(32)
        with self._lock:
            name = team_name or self._teams.get(team_id) or f"Team {team_id}"
            self._teams[team_id] = name
            self._oauth_codes[code] = _OAuthGrant(
                install=Install(
                    team_id=team_id,
                    team_name=name,
                    bot_user_id=bot_user_id or self.bot_user_id,
                    bot_id=bot_id or self.bot_id,
                    app_id=self.app_id,
                    scope=scope,
                    installer_user_id=installer_user_id,
                ),
                redirect_uri=redirect_uri,
            )
        return code

    # ---------------------------------------------------------------- methods (lock held)

    def _auth_test(self, request: ApiRequest) -> dict[str, Any]:
        install = request.bot
        return {
            "url": f"https://{domain(install.team_name)}.slack.com/",
            "team": install.team_name,
            "user": self.user_name(install.bot_user_id) or self.bot_name,
            "team_id": install.team_id,
            "user_id": install.bot_user_id,
            "bot_id": install.bot_id,
            "is_enterprise_install": False,
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
        return {
            "app_id": install.app_id,
            "authed_user": {"id": install.installer_user_id},
            "scope": install.scope,
            "token_type": "bot",
            "access_token": token,
            "bot_user_id": install.bot_user_id,
            "team": {"id": install.team_id, "name": install.team_name},
            "enterprise": None,
            "is_enterprise_install": False,
        }
