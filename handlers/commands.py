"""`/interview`: acknowledge at once, then let the command table do the work."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from slack_bolt import Ack, App, BoltContext, Respond

from bot.slack.replies import Invocation
from bot.slash import SlashCommands


def register(app: App, slash: SlashCommands, now: Callable[[], datetime]) -> None:
    @app.command("/interview")
    def interview(ack: Ack, command: dict, respond: Respond, context: BoltContext) -> None:
        ack()
        invocation = Invocation(
            team_id=context.team_id or command["team_id"],
            channel_id=command["channel_id"],
            user_id=command["user_id"],
            text=command.get("text") or "",
            trigger_id=command.get("trigger_id"),
        )
        reply = slash.run(invocation, now())
        if reply.text:
            respond(
                text=reply.text,
                blocks=reply.blocks,
                response_type="in_channel" if reply.public else "ephemeral",
            )
