"""Small pieces every listener uses: answer with a reply, read a form, read a button's value."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.blocks import notice
from bot.slack.errors import slack_error
from bot.slack.replies import FormErrors, Reply

log = logging.getLogger(__name__)


def say(
    respond: Respond,
    reply: Reply | None,
    *,
    replace: bool = False,
    client: WebClient | None = None,
    trigger_id: str | None = None,
) -> None:
    """A reply only the person sees (nothing for an empty one). A button on a view (the Home
    tab) has no response_url to answer on: there the reply opens as a small modal, with the
    press's `trigger_id`, when the caller passes it and the client."""
    if reply is None or not reply.text:
        return
    if respond.response_url:
        respond(
            text=reply.text,
            blocks=reply.blocks,
            response_type="ephemeral",
            replace_original=replace,
        )
    elif client is not None and trigger_id:
        try:
            client.views_open(trigger_id=trigger_id, view=notice(reply.text))
        except SlackApiError as exc:  # the trigger lasts 3 s: a slow check can outlive it
            log.info("notice not shown", extra={"error": slack_error(exc)})


def close_or_show_errors(ack: Ack, errors: FormErrors | None) -> None:
    """Errors go back in the ack and keep the modal open under the fields they concern.
    Slack shows them as plain text, so the code marks the same sentences carry in a message
    (`/interview add`) are dropped here, for every form, instead of showing as backticks."""
    if errors:
        plain = {block_id: error.replace("`", "") for block_id, error in errors.items()}
        ack(response_action="errors", errors=plain)
    else:
        ack()


def field_values(view: dict[str, Any]) -> dict[str, str | None]:
    """{block_id: typed text or selected option} from a submitted view's state."""
    values: dict[str, str | None] = {}
    for block_id, actions in (view.get("state") or {}).get("values", {}).items():
        for element in actions.values():
            if element.get("type") in ("static_select", "radio_buttons"):
                option = element.get("selected_option") or {}
                values[block_id] = option.get("value")
            elif element.get("type") == "conversations_select":
                values[block_id] = element.get("selected_conversation")
            else:
                values[block_id] = element.get("value")
    return values


def number_value(action: dict[str, Any]) -> int | None:
    """A button value that carries an id (a forged non-number is ignored)."""
    value = str(action.get("value", ""))
    return int(value) if value.isdigit() and len(value) < 19 else None


def user_of(body: dict[str, Any]) -> str:
    """Who pressed or submitted; "" (nobody, with no rights) for a payload without a user."""
    user = body.get("user")
    return str(user.get("id") or "") if isinstance(user, dict) else ""
