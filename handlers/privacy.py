"""The buttons of `/interview forget-me`: delete (the presser's own data) or cancel."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from slack_bolt import Ack, App, BoltContext, Respond

from bot.privacy import render
from bot.privacy.ui import PrivacyUI
from handlers.respond import say, user_of


def register(app: App, privacy: PrivacyUI, now: Callable[[], datetime]) -> None:
    @app.action(render.CONFIRM_BUTTON)
    def confirm(ack: Ack, body: dict, action: dict, respond: Respond, context: BoltContext) -> None:
        ack()
        # whose data goes is who pressed, never anything the button carries
        reply = privacy.confirm(
            context.team_id or "", user_of(body), str(action.get("value", "")), now()
        )
        say(respond, reply, replace=True)

    @app.action(render.CANCEL_BUTTON)
    def cancel(ack: Ack, respond: Respond) -> None:
        ack()
        say(respond, privacy.cancel(), replace=True)
