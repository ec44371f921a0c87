"""What Slack's errors mean for the bot: which are permanent and which are worth a retry."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

# The bot can't post in the channel: it was never invited, was removed, or the channel is gone.
NOT_A_MEMBER = ("not_in_channel", "channel_not_found", "is_archived")
# Slack answered, and trying again will not change its mind (unlike ratelimited, 5xx answers).
PERMANENT = (
    *NOT_A_MEMBER,
    "invalid_auth",
    "not_authed",
    "account_inactive",
    "token_revoked",
    "missing_scope",
    "team_access_not_granted",
    "LookupError",  # the workspace uninstalled the app
)


def slack_error(exc: BaseException) -> str:
    """Slack's error code, or the exception's class name when Slack never answered."""
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error", "unknown_error"))
    return type(exc).__name__
