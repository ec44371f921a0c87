"""The app removed from a workspace (or a Grid org): `app_uninstalled` and `tokens_revoked`.

Bolt lets both through without an `auth.test` (the token is dead already); the ids come from the
event's authorization. Bolt's built-in listeners are not used: for an org-wide install they
would delete under the workspace's team id, where nothing is stored."""

from __future__ import annotations

from slack_bolt import App, BoltContext

from bot.slack.installs import Installations


def register(app: App, installs: Installations) -> None:
    @app.event("app_uninstalled")
    def uninstalled(context: BoltContext) -> None:
        installs.uninstalled(
            context.enterprise_id, context.team_id, org=bool(context.is_enterprise_install)
        )

    @app.event("tokens_revoked")
    def revoked(event: dict, context: BoltContext) -> None:
        tokens = event.get("tokens") or {}
        installs.tokens_revoked(
            context.enterprise_id,
            context.team_id,
            org=bool(context.is_enterprise_install),
            bot=bool(tokens.get("bot")),
            users=[str(user) for user in tokens.get("oauth") or []],
        )
