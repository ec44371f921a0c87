"""What the fake remembers: recorded calls, workspace state, and small argument helpers."""

from __future__ import annotations

import re
import secrets
import string
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

DEFAULT_SCOPE = "app_mentions:read,channels:history,channels:join,channels:read,chat:write,commands,groups:history,groups:read,im:history,im:read,im:write,reactions:read,reactions:write,users:read"  # noqa: E501
_ID_ALPHABET = string.ascii_uppercase + string.digits


@dataclass
class Call:
    """One request the fake received. ``token`` is kept out of ``repr`` so it is never printed."""

    method: str
    args: dict[str, Any]
    token: str | None = field(repr=False)
    at: float
    # What the fake answered (None for response_url). Out of repr: it may hold a fresh token.
    response: dict[str, Any] | None = field(default=None, repr=False)
    status: int = 200


@dataclass(frozen=True)
class Upload:
    """A file shared by ``files.completeUploadExternal``, with the bytes POSTed to its URL.

    ``channel_id`` is None for a file completed without a channel (Slack keeps it private).
    """

    file_id: str
    filename: str
    title: str
    content: bytes = field(repr=False)
    channel_id: str | None
    thread_ts: str | None
    initial_comment: str | None
    alt_txt: str | None = None
    snippet_type: str | None = None


@dataclass
class Install:
    """What a token was issued for. An Enterprise Grid install names its org: a workspace-level
    install keeps the workspace's team id; an org-wide install (``is_enterprise_install``) holds
    the org's id as its ``team_id``, as Slack's ``auth.test`` reports it for an org token."""

    team_id: str
    team_name: str
    bot_user_id: str
    bot_id: str
    app_id: str
    scope: str
    installer_user_id: str | None
    enterprise_id: str | None = None
    enterprise_name: str | None = None
    is_enterprise_install: bool = False


@dataclass
class User:
    id: str
    name: str
    real_name: str
    display_name: str
    email: str | None
    is_admin: bool
    is_owner: bool
    is_primary_owner: bool
    is_bot: bool
    tz: str
    team_id: str


@dataclass
class Channel:
    id: str
    name: str
    is_private: bool = False
    is_member: bool = True
    is_archived: bool = False
    is_im: bool = False
    im_user: str | None = None
    created: int = field(default_factory=lambda: int(time.time()))


@dataclass
class Message:
    channel: str
    ts: str
    thread_ts: str | None
    text: str
    blocks: list[dict[str, Any]] | None
    attachments: list[dict[str, Any]] | None
    user: str
    metadata: dict[str, Any] | None = None  # {"event_type": ..., "event_payload": {...}}

    def public(self) -> dict[str, Any]:
        return {
            "ts": self.ts,
            "thread_ts": self.thread_ts,
            "text": self.text,
            "blocks": self.blocks,
            "user": self.user,
            **({"metadata": self.metadata} if self.metadata is not None else {}),
        }


@dataclass
class Failure:
    error: str
    status: int
    retry_after: int | None
    remaining: int


class ApiError(Exception):
    """Raised by a method handler: becomes ``{"ok": false, "error": error, **extra}``."""

    def __init__(self, error: str, *, status: int = 200, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.extra = extra


@dataclass
class ApiRequest:
    """A Web API call as a method handler sees it: authenticated, arguments decoded."""

    method: str
    args: dict[str, Any]
    install: Install | None
    basic_auth: tuple[str, str] | None

    @property
    def bot(self) -> Install:
        """The installation of the calling token (every method except oauth.v2.access has one)."""
        if self.install is None:
            raise AssertionError(f"{self.method} was answered without a token")
        return self.install


Handler = Callable[[ApiRequest], dict[str, Any]]
# (status, headers, body) of an HTTP answer.
HttpAnswer = tuple[int, dict[str, str], bytes]


def random_id(prefix: str, length: int = 10) -> str:
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


def domain(team_name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", team_name.lower()).strip("-") or "workspace"


def is_true(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes"}
    return bool(value)


def str_arg(args: Mapping[str, Any], name: str) -> str | None:
    value = args.get(name)
    if value is None or value == "":
        return None
    return str(value)


class DroppedConnection(Exception):
    """The fake did the work, then closed the connection without an answer (see drop_next)."""
