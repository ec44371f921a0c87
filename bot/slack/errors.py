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


# Slack may have acted before failing with these (or a 5xx, or a dropped connection): what
# happened is unknown until the bot looks.
AMBIGUOUS = ("internal_error", "fatal_error", "request_timeout", "service_unavailable")


def is_ambiguous(exc: BaseException) -> bool:
    """A failure after which the request may still have taken effect."""
    if not isinstance(exc, SlackApiError):
        return not isinstance(exc, LookupError)  # the connection failed, or the answer was lost
    return exc.response.status_code >= 500 or slack_error(exc) in AMBIGUOUS


def is_transient(exc: BaseException) -> bool:
    """Worth trying again later: Slack was busy or down, not refusing this request."""
    return is_ambiguous(exc) or slack_error(exc) == "ratelimited"


_FIXES = {
    "not_in_channel": "Invite me to the channel with `/invite @Interview Practice`.",
    "channel_not_found": "The channel is gone or private to me; invite me again.",
    "is_archived": "The channel is archived; unarchive it or use another one.",
    "invalid_auth": "The bot's token is no longer valid; reinstall the app.",
    "token_revoked": "The bot's token was revoked; reinstall the app.",
    "account_inactive": "The bot's token was revoked; reinstall the app.",
    "missing_scope": "The app lacks a permission; reinstall it from the current manifest.",
    "ratelimited": "Slack is rate limiting me; try again in a minute.",
}


def what_to_fix(error: str) -> str:
    """A sentence saying what a person can do about a Slack error."""
    if error in _FIXES:
        return _FIXES[error]
    if error in AMBIGUOUS or error in ("ConnectionError", "URLError", "TimeoutError"):
        return "Slack seems to be having trouble; try again in a few minutes."
    return "This was logged; if it keeps happening, tell the bot's operator."
