"""Text for Slack's mrkdwn: escaping what people typed, limits, and times in each reader's zone."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

SECTION_LIMIT = 3000
TEXT_LIMIT = 3000  # the notification/accessibility fallback; Slack truncates at 40,000
TRUNCATION_MARK = "… _(truncated)_"


def escape(text: str) -> str:
    """Escape user text for mrkdwn so it cannot mention people or forge links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# Invisible and unbreakable: Slack sees no link where it sits, readers see the text unchanged.
WORD_JOINER = "\u2060"
# a dotted name; `_`, `*` and `~` around it are mrkdwn formatting, and it is still a link
_HOST = re.compile(
    r"(?i)(?<![a-z0-9.-])((?:[a-z0-9](?:[a-z0-9-]{0,62})\.)+([a-z][a-z0-9-]{1,62}))(?![a-z0-9-])"
)
_WWW = re.compile(r"(?i)(www)\.")
# Where a name like `evil.com` is a link even without `https://` or `www.` before it.
# fmt: off
_LINKED_TLDS = frozenset((
    "com", "net", "org", "info", "biz", "io", "co", "ai", "app", "dev", "me", "tv", "cc", "us",
    "uk", "eu", "de", "fr", "es", "it", "nl", "be", "ch", "at", "se", "no", "dk", "fi", "pl",
    "cz", "ru", "ua", "cn", "jp", "kr", "in", "br", "ar", "mx", "au", "nz", "ca", "za", "ly",
    "gl", "gg", "sh", "to", "ws", "xyz", "top", "site", "online", "club", "shop", "store",
    "live", "link", "click", "page", "cloud", "tech", "blog", "news", "email", "zip", "mov",
))
# fmt: on


def plain_links(escaped: str) -> str:
    """Escaped mrkdwn whose web addresses stay readable but are no links. An invisible word
    joiner (WJ) goes into every `://` (`https:` WJ `//`) and every `www.`, and before each dot of
    a host that follows a `//`, has a path, a port or an `@` next to it, or ends in a common
    top-level domain anywhere after its first label (`evil` WJ `.com`, also in
    `evil.com.example`). Dotted names in code (`os.path.join`, `config.yaml`)
    are left alone. Without its word joiners, the result is `escaped` again."""
    text = escaped.replace("://", f":{WORD_JOINER}//")

    def host(match: re.Match[str]) -> str:
        name, start, end = match.group(1), match.start(), match.end()
        linked = (
            text.endswith(("//", "@"), 0, start)
            or name.lower().startswith("www.")
            or any(label.lower() in _LINKED_TLDS for label in name.split(".")[1:])
            or text.startswith(("/", ":"), end)
        )
        return name.replace(".", f"{WORD_JOINER}.") if linked else name

    text = _HOST.sub(host, text)
    return _WWW.sub(lambda match: f"{match.group(1)}{WORD_JOINER}.", text)


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


def listing(items: list[str] | tuple[str, ...]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


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
