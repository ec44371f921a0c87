"""The states stored in string columns, defined once. `StrEnum` values compare equal to (and
are stored as) their strings, so the schema is unchanged."""

from __future__ import annotations

from enum import StrEnum


class RoundStatus(StrEnum):
    """claimed -> open -> revealed; or skipped (missed) / failed (Slack refused for good)."""

    CLAIMED = "claimed"
    OPEN = "open"
    REVEALED = "revealed"
    SKIPPED = "skipped"
    FAILED = "failed"


class RoundKind(StrEnum):
    DAILY = "daily"  # the channel's round of the day (the clock, or `/interview now`)
    PRACTICE = "practice"  # posted on demand from a practice card


class AnswerMode(StrEnum):
    OPEN = "open"  # answers are thread replies
    BLIND = "blind"  # answers go through a form and stay private until the reveal


DEFAULT_VOTE_EMOJI = "+1"
