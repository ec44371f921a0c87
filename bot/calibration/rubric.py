"""Pure rules of a calibration session: what `/interview calibrate` asks for, how long a session
runs, which specimen comes next, and how a score reads."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from bot.questions.model import RUBRIC_LEVELS, Question

DEFAULT_DURATION = timedelta(hours=24)  # interviewers score between interviews
MIN_DURATION = timedelta(minutes=10)
MAX_DURATION = timedelta(days=7)
_DURATION = re.compile(r"^(?:(\d{1,2})d)?(?:(\d{1,3})h)?(?:(\d{1,4})m)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


def level_name(score: int) -> str:
    """`3` -> `3 (Yes)`."""
    return f"{score} ({RUBRIC_LEVELS.get(score, '?')})"


def parse_duration(text: str) -> timedelta | None:
    """`2h`, `90m`, `1h30m`, `3d`; None when it isn't one."""
    match = _DURATION.match(text.lower())
    if not match or not any(match.groups()):
        return None
    days, hours, minutes = (int(g) if g else 0 for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes)


def describe_duration(value: timedelta) -> str:
    minutes = int(value.total_seconds() // 60)
    if minutes % (24 * 60) == 0:
        return f"{minutes // (24 * 60)}d"
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes // 60}h{minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"


def check_duration(value: timedelta | None) -> str | None:
    """A sentence saying what is wrong with a session length, or None."""
    if value is None:
        return "Give the length like `2h`, `90m` or `3d`."
    if not MIN_DURATION <= value <= MAX_DURATION:
        return "A session runs between 10 minutes and 7 days."
    return None


@dataclass(frozen=True)
class CalibrateRequest:
    question_id: str
    specimen: int | None = None  # 1-based; None: the specimen this workspace used least
    duration: timedelta = DEFAULT_DURATION


def parse_calibrate(args: tuple[str, ...] | list[str], usage: str) -> CalibrateRequest | str:
    """`<question-id> [specimen N] [for 2h]` -> a request, or a sentence saying how to write it
    (`usage`: the table's usage line)."""
    words = [w.lower() for w in args]
    if not words:
        return usage
    question_id, rest = words[0], words[1:]
    specimen: int | None = None
    duration = DEFAULT_DURATION
    while rest:
        if len(rest) >= 2 and rest[0] == "specimen" and rest[1].isdigit() and len(rest[1]) < 3:
            specimen, rest = int(rest[1]), rest[2:]
        elif len(rest) >= 2 and rest[0] == "for":
            parsed = parse_duration(rest[1])
            problem = check_duration(parsed)
            if problem or parsed is None:
                return problem or ""
            duration, rest = parsed, rest[2:]
        else:
            return f"{usage} E.g. `/interview calibrate sql-vs-nosql specimen 2 for 2h`."
    return CalibrateRequest(question_id, specimen, duration)


def choose_specimen(question: Question, used: Mapping[int, int]) -> int:
    """The specimen (1-based) this workspace has used least, the first of equals: a panel that
    meets the same question again scores different evidence."""
    numbers = range(1, len(question.specimens) + 1)
    return min(numbers, key=lambda n: (used.get(n, 0), n))


@dataclass(frozen=True)
class ReportRequest:
    user_id: str | None = None
    since: date | None = None


def parse_report(args: tuple[str, ...] | list[str], usage: str) -> ReportRequest | str:
    """`report [@user] [since YYYY-MM-DD]` -> a request, or a sentence saying how to write it
    (`usage`: the table's usage line)."""
    words = list(args)
    if not words or words[0].lower() != "report":
        return usage
    user_id, since, rest = None, None, words[1:]
    while rest:
        mention = _MENTION.match(rest[0])
        if mention:
            user_id, rest = mention.group(1), rest[1:]
        elif len(rest) >= 2 and rest[0].lower() == "since" and _DATE.match(rest[1]):
            try:
                since = date.fromisoformat(rest[1])
            except ValueError:
                return "Give the date as YYYY-MM-DD, e.g. `since 2026-01-31`."
            rest = rest[2:]
        else:
            return usage
    return ReportRequest(user_id, since)
