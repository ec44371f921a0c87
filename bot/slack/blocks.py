"""Block Kit scaffolds: every message and view stays within Slack's limits (50 blocks in a
message, 100 in a view, 3,000 characters in a section) and carries a plain `text` fallback."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.slack.mrkdwn import TEXT_LIMIT, chunks, fit

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100

Message = tuple[str, list[dict[str, Any]]]


def md(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=fit(text))


def plain(text: str) -> PlainTextObject:
    return PlainTextObject(text=fit(text, 150), emoji=True)


def sections(text: str) -> list[SectionBlock]:
    """Text of any length as one or more sections."""
    return [SectionBlock(text=MarkdownTextObject(text=piece)) for piece in chunks(text)]


def context(text: str) -> ContextBlock:
    return ContextBlock(elements=[md(text)])


def finish(text: str, blocks: Sequence[Block | dict], limit: int = MESSAGE_BLOCKS) -> Message:
    """The message as Slack accepts it: at most `limit` blocks, a non-empty text fallback."""
    dicts = [b.to_dict() if isinstance(b, Block) else b for b in blocks]
    if len(dicts) > limit:
        dicts = dicts[: limit - 1] + [
            context("_(more than fits in one message; truncated)_").to_dict()
        ]
    return fit(text or "Interview practice", TEXT_LIMIT), dicts


def finish_view(view: View) -> dict[str, Any]:
    """A modal or Home view cut to Slack's 100 blocks."""
    data: dict[str, Any] = view.to_dict()
    if len(data.get("blocks", [])) > VIEW_BLOCKS:
        data["blocks"] = data["blocks"][: VIEW_BLOCKS - 1] + [context("_(truncated)_").to_dict()]
    return data


def text_input(
    name: str,
    label: str,
    *,
    hint: str,
    initial: str | None = None,
    optional: bool = False,
    multiline: bool = False,
    max_length: int | None = None,
    action_id: str | None = None,
) -> InputBlock:
    """A form field; its action id is `name` too unless given."""
    return InputBlock(
        block_id=name,
        label=plain(label),
        optional=optional,
        hint=plain(hint) if hint else None,
        element=PlainTextInputElement(
            action_id=action_id or name,
            multiline=multiline,
            initial_value=initial or None,
            max_length=max_length,
        ),
    )


def modal(
    callback_id: str, title: str, submit: str, blocks: Sequence[Block], **metadata: object
) -> dict[str, Any]:
    """A modal whose `private_metadata` carries `metadata` as JSON (read back with `metadata`)."""
    return finish_view(
        View(
            type="modal",
            callback_id=callback_id,
            private_metadata=json.dumps(metadata),
            title=plain(title),
            submit=plain(submit),
            close=plain("Cancel"),
            blocks=list(blocks),
        )
    )


def notice(text: str, title: str = "Interview Practice") -> dict[str, Any]:
    """A modal that only says something (where a button has no message to answer under)."""
    return finish_view(
        View(type="modal", title=plain(title), close=plain("OK"), blocks=list(sections(text)))
    )


def metadata(raw: str | None) -> dict[str, Any]:
    """A submitted view's `private_metadata`; empty when it is missing or not ours."""
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
