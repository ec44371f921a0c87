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
    FAILED = "failed"  # the question was never posted
    REVEAL_FAILED = "reveal_failed"  # posted and answered; Slack refused the reveal for good


class RoundKind(StrEnum):
    DAILY = "daily"  # the channel's round of the day (the clock, or `/interview now`)
    PRACTICE = "practice"  # posted on demand from a practice card


class AnswerMode(StrEnum):
    OPEN = "open"  # answers are thread replies
    BLIND = "blind"  # answers go through a form and stay private until the reveal


DEFAULT_VOTE_EMOJI = "+1"


class SessionStatus(StrEnum):
    """A calibration session: awaiting consent (evidence is a teammate's answer) -> claimed ->
    open -> closed; failed when Slack refused the post for good; declined when the author said no."""

    AWAITING_CONSENT = "awaiting_consent"
    DECLINED = "declined"
    CLAIMED = "claimed"
    OPEN = "open"
    CLOSED = "closed"
    FAILED = "failed"


class EvidenceKind(StrEnum):
    SPECIMEN = "specimen"  # a bank specimen, with the score its author expects
    PASTED = "pasted"  # text the manager pasted
    ANSWER = "answer"  # a teammate's round answer, used after they agreed


class QuestionStatus(StrEnum):
    """A team question: pending (waiting for an admin) -> approved (in the daily rotation and
    practice) or rejected; an edit by its author sends it back to pending; removed (soft: past
    rounds still show it)."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    REMOVED = "removed"
