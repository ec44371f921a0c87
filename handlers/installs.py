"""Installing and removing the app.

The OAuth flow's success page says what to do next (Bolt's callback options; its default
failure page stays). The app removed from a workspace (or a Grid org): `app_uninstalled` and
`tokens_revoked`. Bolt lets both through without an `auth.test` (the token is dead already); the
ids come from the event's authorization. Bolt's built-in listeners are not used: for an org-wide
install they would delete under the workspace's team id, where nothing is stored."""

from __future__ import annotations

from html import escape

from slack_bolt import App, BoltContext, BoltResponse
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs

from bot.slack.installs import Installations

NEXT_STEPS = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Interview Practice is installed</title>
<style>body{{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;line-height:1.5}}
code{{background:#f4f4f4;padding:0 .2em}}</style></head>
<body>
<h1>Interview Practice is installed</h1>
<p>You installed it, so you are one of its admins in this workspace: you can run every channel
and make others hiring managers.</p>
<h2>What to do next</h2>
<ol>
<li>In Slack, invite the bot to your team's channel: <code>/invite @interview-practice</code>.</li>
<li>Press <strong>Set up the daily question</strong> on the short intro it posts there, and
choose the time. Whoever sets a channel up runs it and can add co-admins
(<code>/interview admins add @name</code>).</li>
<li>Open the app's <strong>Home</strong> tab to practise right away and to set up more
channels.</li>
</ol>
<p><a href="{home}">Open Interview Practice in Slack</a></p>
</body></html>
"""


def success_page(args: SuccessArgs) -> BoltResponse:
    """The page after Slack's install flow: what to do next, and a link to the app in Slack.
    Bolt's own response keeps its headers (the state cookie is cleared)."""
    default = args.default.success(args)
    installation = args.installation
    home = f"slack://app?team={installation.team_id or ''}&id={installation.app_id or ''}&tab=home"
    body = NEXT_STEPS.format(home=escape(home, quote=True))
    return BoltResponse(status=default.status, headers=default.headers, body=body)


def failure_page(args: FailureArgs) -> BoltResponse:
    return args.default.failure(args)


CALLBACK_OPTIONS = CallbackOptions(success=success_page, failure=failure_page)


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
