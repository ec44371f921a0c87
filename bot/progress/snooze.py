"""How long a snooze lasts, from what a person types: `3d`, `1w`, `2w`, or `off`. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

MAX_DAYS = 30
_DURATION = re.compile(r"^(\d{1,2})([dw])$")
USAGE = (
    "Snooze for a number of days or weeks (at most 30 days), like `/interview snooze 1w`, "
    "`3d` or `2w`, or `off`."
)


@dataclass(frozen=True)
class SnoozeFor:
    length: timedelta


@dataclass(frozen=True)
class Wake:
    """`off`: end a running snooze now."""


def parse_snooze(word: str) -> SnoozeFor | Wake | None:
    """`3d`, `1w`, `2w` (1 day to 30 days) or `off`; None when it is neither."""
    word = word.strip().lower()
    if word == "off":
        return Wake()
    match = _DURATION.match(word)
    if match is None:
        return None
    days = int(match.group(1)) * (7 if match.group(2) == "w" else 1)
    if not 1 <= days <= MAX_DAYS:
        return None
    return SnoozeFor(timedelta(days=days))
