"""Text for Slack's mrkdwn: escaping what people typed, limits, and times in each reader's zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

SECTION_LIMIT = 3000
TEXT_LIMIT = 3000  # the notification/accessibility fallback; Slack truncates at 40,000
TRUNCATION_MARK = "… _(truncated)_"


def escape(text: str) -> str:
    """Escape user text for mrkdwn so it cannot mention people or forge links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def neutralize(text: str) -> str:
    """Slack message text arrives with `&`, `<`, `>` already escaped; what is left in angle
    brackets are live mentions and links. Disarm those without escaping the entities twice."""
    return text.replace("<", "&lt;").replace(">", "&gt;")


def fit(text: str, limit: int = SECTION_LIMIT) -> str:
    """Cut text to a limit with a visible marker."""
    if len(text) <= limit:
        return text
    return text[: limit - len(TRUNCATION_MARK)].rstrip() + TRUNCATION_MARK


def chunks(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Split text into pieces under `limit`, at line or word breaks where possible."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut < limit // 2:
            cut = text.rfind(" ", 0, limit)
        if cut < limit // 2:
            cut = limit
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n ") if cut < len(text) else ""
    if text or not pieces:
        pieces.append(text)
    return pieces


def quote(safe_text: str) -> str:
    """Block-quote text that is already escaped or neutralized."""
    return "\n".join(f">{line}" for line in safe_text.splitlines() or [""])


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 answer`, `2 answers`; `many` for irregular plurals (`person`/`people`)."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


def slack_time(moment: datetime, fallback_zone: str) -> str:
    """A time every reader sees in their own zone (Slack date formatting), with a fallback."""
    local = moment.astimezone(ZoneInfo(fallback_zone))
    fallback = f"{local:%H:%M} {fallback_zone}"
    return f"<!date^{int(moment.timestamp())}^{{time}}|{fallback}>"


def slack_date_time(moment: datetime, fallback_zone: str) -> str:
    """Date and time in each reader's own zone, e.g. "Tomorrow at 9:30 AM"."""
    local = moment.astimezone(ZoneInfo(fallback_zone))
    fallback = f"{local:%a %d %b %H:%M} {fallback_zone}"
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"
