"""Block Kit and mrkdwn as a person reads them in a terminal (for the offline demo)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#([CG][A-Z0-9]+)(?:\|([^>]*))?>")
_DATE = re.compile(r"<!date\^\d+\^[^|>]*\|([^>]*)>")
_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]+)>")
_BARE_LINK = re.compile(r"<(https?://[^>]+)>")
_SPECIAL = re.compile(r"<!(channel|here|everyone)>")
_EMOJI = {
    "+1": "👍",
    "thumbsup": "👍",
    "bulb": "💡",
    "thought_balloon": "💭",
    "lock": "🔒",
    "tada": "🎉",
    "white_check_mark": "✅",
    "first_place_medal": "🥇",
    "second_place_medal": "🥈",
    "third_place_medal": "🥉",
    "alarm_clock": "⏰",
}
_EMOJI_CODE = re.compile(r":([a-z0-9_+\-]+):")
_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_([^_\n]+)_(?![\w_])")


def mrkdwn_to_text(text: str, names: Mapping[str, str] | None = None) -> str:
    """Resolve mentions, dates, links and escapes the way Slack displays them."""
    names = names or {}
    text = _USER.sub(lambda m: "@" + names.get(m.group(1), m.group(1)), text)
    text = _CHANNEL.sub(lambda m: "#" + (m.group(2) or names.get(m.group(1), m.group(1))), text)
    text = _DATE.sub(lambda m: m.group(1), text)
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", text)
    text = _BARE_LINK.sub(lambda m: m.group(1), text)
    text = _SPECIAL.sub(lambda m: "@" + m.group(1), text)
    text = _EMOJI_CODE.sub(lambda m: _EMOJI.get(m.group(1), m.group(0)), text)
    text = _ITALIC.sub(lambda m: m.group(1), _BOLD.sub(lambda m: m.group(1), text))
    text = "\n".join("│ " + line[1:] if line.startswith(">") else line for line in text.split("\n"))
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _element_text(element: Mapping[str, Any], names: Mapping[str, str]) -> str:
    if element.get("type") in ("mrkdwn", "plain_text"):
        return mrkdwn_to_text(str(element.get("text", "")), names)
    if element.get("type") == "button":
        return f"[ {element.get('text', {}).get('text', '')} ]"
    return ""


def blocks_to_text(
    blocks: list[Mapping[str, Any]] | None,
    fallback: str = "",
    names: Mapping[str, str] | None = None,
) -> str:
    """One readable paragraph per block; the `text` fallback when there are no blocks."""
    names = names or {}
    if not blocks:
        return mrkdwn_to_text(fallback, names)
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            lines.append(_element_text(block["text"], names).upper())
        elif kind == "section":
            if block.get("text"):
                lines.append(_element_text(block["text"], names))
            for field in block.get("fields") or []:
                lines.append(_element_text(field, names))
            if block.get("accessory"):
                lines.append(_element_text(block["accessory"], names))
        elif kind == "context":
            parts = [_element_text(e, names) for e in block.get("elements", [])]
            lines.append("  " + " ".join(p for p in parts if p))
        elif kind == "divider":
            lines.append("─" * 40)
        elif kind == "actions":
            lines.append(" ".join(_element_text(e, names) for e in block.get("elements", [])))
        elif kind == "rich_text":
            lines.append(mrkdwn_to_text(fallback, names))
    return "\n".join(line for line in lines if line is not None)
