"""What Slack's errors mean for the bot: which are permanent and which are worth a retry."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

# The bot can't post in the channel: it was never invited, was removed, the channel is gone, or
# the channel's posting permissions shut the bot out. A scheduled post refused with one of these
# pauses the channel (its admins see why on the Home tab) instead of failing every day.
NOT_A_MEMBER = (
    "not_in_channel",
    "channel_not_found",
    "is_archived",
    "posting_to_general_channel_denied",
    "restricted_action_read_only_channel",
    "restricted_action_thread_only_channel",
)
# The bot sent something Slack can't take: a bug in the bot, so trying again sends it again.
BOT_BUGS = ("msg_too_long", "invalid_blocks", "invalid_blocks_format", "invalid_arguments")
# Slack answered, and trying again will not change its mind (unlike ratelimited, 5xx answers).
PERMANENT = (
    *NOT_A_MEMBER,
    *BOT_BUGS,
    "restricted_action_non_threadable_channel",
    "invalid_auth",
    "not_authed",
    "account_inactive",
    "token_revoked",
    "missing_scope",
    "team_access_not_granted",
    "restricted_action",
    "ekm_access_denied",
    "not_allowed_token_type",
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


# What to change for each permanent error: trying again does nothing until someone does it.
_FIXES = {
    "not_in_channel": "Invite me to the channel with `/invite @interview-practice`.",
    "channel_not_found": (
        "I can't see this channel: it was deleted, or it is private and I'm not in it. "
        "Invite me with `/invite @interview-practice`."
    ),
    "is_archived": "The channel is archived: unarchive it, or use me in another channel.",
    "posting_to_general_channel_denied": (
        "Only admins may post in this channel (a workspace setting): move the daily question to "
        "another channel, or ask a workspace admin."
    ),
    "restricted_action_read_only_channel": (
        "Only some members may post in this channel (its posting permissions): use me in another "
        "channel, or ask a workspace admin to let me post here."
    ),
    "restricted_action_thread_only_channel": (
        "This channel only takes replies in threads, and my question starts a new message: use me "
        "in another channel, or ask a workspace admin to change its posting permissions."
    ),
    "restricted_action_non_threadable_channel": (
        "This channel has threads turned off, and answers go in the question's thread: use me in "
        "another channel."
    ),
    "invalid_auth": (
        "The bot's token is not valid: an admin should reinstall the app and the bot's "
        "operator update SLACK_BOT_TOKEN."
    ),
    "not_authed": "The bot has no token: the bot's operator should set SLACK_BOT_TOKEN.",
    "token_revoked": "The bot's token was revoked: an admin should reinstall the app.",
    "account_inactive": "The bot's token was revoked: an admin should reinstall the app.",
    "LookupError": "The app is no longer installed in this workspace: an admin should reinstall it.",
    "team_access_not_granted": (
        "The app isn't enabled for this workspace of the org: an org admin should add it."
    ),
    "missing_scope": (
        "The app lacks a permission it needs: an admin should reinstall it from the current "
        "manifest (OAuth & Permissions, then Reinstall to Workspace)."
    ),
    "restricted_action": (
        "This workspace's settings don't let me post here: ask a workspace admin to allow it "
        "or use another channel."
    ),
    "ekm_access_denied": "Your workspace's key management blocked this: ask a workspace admin.",
    "not_allowed_token_type": (
        "The bot is configured with the wrong kind of token: SLACK_BOT_TOKEN must start with xoxb-."
    ),
    "ratelimited": "Slack is rate limiting me; try again in a minute.",
}


def what_to_fix(error: str, needed: str | None = None) -> str:
    """A sentence saying what a person can do about a Slack error: for a permanent one, what to
    change (trying again alone changes nothing); for a passing one, when to try again.
    `needed`: the scope Slack says is missing, for `missing_scope`."""
    if error == "missing_scope" and needed:
        return (
            f"The app lacks the `{needed}` permission: an admin should reinstall it from the "
            "current manifest (OAuth & Permissions, then Reinstall to Workspace)."
        )
    if error in _FIXES:
        return _FIXES[error]
    if error in BOT_BUGS:
        return (
            "That's a bug in the bot, not something you did; it was logged for the bot's operator."
        )
    if error in AMBIGUOUS or error in ("ConnectionError", "URLError", "TimeoutError"):
        return "Slack seems to be having trouble; try again in a few minutes."
    return "This was logged; if it keeps happening, tell the bot's operator."


def is_permanent(exc: BaseException) -> bool:
    """Slack refused for a reason trying again won't change."""
    return slack_error(exc) in PERMANENT


def refusal(exc: BaseException) -> str | None:
    """What to tell the person whose request Slack refused for good, or None when the failure
    was not a permanent refusal (then a plain apology is right)."""
    if not is_permanent(exc):
        return None
    error = slack_error(exc)
    needed = exc.response.get("needed") if isinstance(exc, SlackApiError) else None
    return f"Slack refused that (`{error}`). {what_to_fix(error, needed)}"
