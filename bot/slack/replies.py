"""What a person did in Slack and what the bot says back: the values every feature's UI uses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Invocation:
    """A slash command as the features see it."""

    team_id: str
    channel_id: str
    user_id: str
    text: str
    trigger_id: str | None = None


@dataclass(frozen=True)
class Reply:
    text: str
    public: bool = False  # in_channel instead of ephemeral
    blocks: list[dict[str, Any]] | None = None


NO_REPLY = Reply("")

# input block id -> message shown under it in a modal
FormErrors = dict[str, str]
