"""Setting a channel up: the schedule form (from the Home tab and from the intro), the intro the
bot posts when it is invited, and its Try a question button."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk.errors import SlackApiError

from bot.channels import render
from bot.channels.ui import ChannelsUI, Saved
from bot.progress.ui import ProgressUI
from bot.slack.errors import slack_error
from handlers.respond import close_or_show_errors, field_values, say, user_of

log = logging.getLogger(__name__)


def register(
    app: App, channels: ChannelsUI, progress: ProgressUI, now: Callable[[], datetime]
) -> None:
    def open_schedule_form(
        ack: Ack, body: dict, action: dict, context: BoltContext, respond: Respond
    ) -> None:
        ack()  # first: the rights check may wait on a rate-limited users.info
        reply = channels.open_schedule_form(
            context.team_id or "", user_of(body), str(action.get("value") or ""), body["trigger_id"]
        )
        say(respond, reply, client=context.client, trigger_id=body["trigger_id"])

    app.action(render.EDIT_SCHEDULE_BUTTON)(open_schedule_form)
    app.action(render.SET_UP_BUTTON)(open_schedule_form)

    @app.action(render.TRY_BUTTON)
    def try_question(
        ack: Ack, body: dict, action: dict, context: BoltContext, respond: Respond
    ) -> None:
        ack()
        reply = channels.try_question(
            context.team_id or "", user_of(body), str(action.get("value") or "")
        )
        say(respond, reply, client=context.client, trigger_id=body.get("trigger_id"))

    @app.action(render.CHANNEL_PICKED)
    def channel_picked(ack: Ack, body: dict, action: dict, context: BoltContext) -> None:
        """A channel chosen in Set up a channel: the form shows that channel's settings."""
        ack()
        view, picked = body.get("view") or {}, action.get("selected_conversation")
        if not isinstance(picked, str) or not picked or not view.get("id"):
            return
        form = channels.picked_form(context.team_id or "", user_of(body), picked)
        try:  # the hash: a form changed since (another pick) is not overwritten
            context.client.views_update(view_id=view["id"], hash=view.get("hash"), view=form)
        except SlackApiError as exc:
            log.info("schedule form not updated", extra={"error": slack_error(exc)})

    @app.view(render.SCHEDULE_VIEW)
    def schedule(ack: Ack, body: dict, view: dict, context: BoltContext) -> None:
        team_id, user_id, metadata = (
            context.team_id or "",
            user_of(body),
            view.get("private_metadata"),
        )
        fields = field_values(view)
        saved = channels.submit_schedule(team_id, user_id, metadata, fields, now())
        close_or_show_errors(ack, None if isinstance(saved, Saved) else saved)
        if isinstance(saved, Saved):
            channels.after_schedule(team_id, user_id, metadata, fields, first=saved.first)
            progress.publish_home(team_id, user_id, now())

    @app.action(render.MANAGE_ADMINS_BUTTON)
    def open_admins_form(
        ack: Ack, body: dict, action: dict, context: BoltContext, respond: Respond
    ) -> None:
        ack()
        reply = channels.open_admins_form(
            context.team_id or "", user_of(body), str(action.get("value") or ""), body["trigger_id"]
        )
        say(respond, reply, client=context.client, trigger_id=body["trigger_id"])

    @app.view(render.ADMINS_VIEW)
    def admins(ack: Ack, body: dict, view: dict, context: BoltContext) -> None:
        team_id, user_id, metadata = (
            context.team_id or "",
            user_of(body),
            view.get("private_metadata"),
        )
        state = ((view.get("state") or {}).get("values") or {}).get("admins") or {}
        chosen = (state.get("admins") or {}).get("selected_users") or []
        errors = channels.submit_admins(
            team_id, user_id, metadata, [str(u) for u in chosen if isinstance(u, str)], now()
        )
        close_or_show_errors(ack, errors)
        if not errors:
            channels.after_admins(team_id, user_id, metadata)

    @app.event("member_joined_channel")
    def joined(event: dict, context: BoltContext) -> None:
        """Only the bot's own joins: someone invited it."""
        if not context.bot_user_id or event.get("user") != context.bot_user_id:
            return
        channel_id, joined_ts = event.get("channel"), event.get("event_ts")
        if isinstance(channel_id, str) and channel_id and isinstance(joined_ts, str):
            inviter = event.get("inviter")
            channels.introduce(
                context.team_id or "",
                channel_id,
                inviter if isinstance(inviter, str) and inviter else None,
                joined_ts,
                now(),
            )
