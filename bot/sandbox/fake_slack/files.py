"""File uploads, the way slack_sdk's ``files_upload_v2`` makes them.

1. ``files.getUploadURLExternal`` (``filename``, ``length``) answers a ``file_id`` and an
   ``upload_url`` served by the fake itself (``/upload/v1/<key>``);
2. the client POSTs the bytes to that URL (raw body, or a multipart form with one file part);
   the fake answers ``200 OK - <length>`` as Slack does;
3. ``files.completeUploadExternal`` (``files`` JSON ``[{"id", "title"}]``, ``channel_id`` or
   ``channels``, ``thread_ts``, ``initial_comment``) shares the uploaded files.

Shared files are recorded as :class:`Upload`s (see :meth:`FilesApi.uploads`), not as messages.
Failures are injected with ``fail_next`` on either method, or on ``"upload_url"`` for step 2.
"""

from __future__ import annotations

import json
import mimetypes
import secrets
import time
from dataclasses import dataclass
from email.message import Message as EmailMessage
from typing import Any

from bot.sandbox.fake_slack.chat import ChatApi
from bot.sandbox.fake_slack.records import (
    ApiError,
    ApiRequest,
    Call,
    Handler,
    HttpAnswer,
    Install,
    Upload,
    random_id,
    str_arg,
)
from bot.sandbox.fake_slack.transport import TEXT_CONTENT, parse_body

_PREFIX = "/upload/v1/"
_MAX_ALT_TXT = 1000


@dataclass
class _Pending:
    """A file between files.getUploadURLExternal and files.completeUploadExternal."""

    file_id: str
    filename: str
    length: int
    alt_txt: str | None
    snippet_type: str | None
    content: bytes | None = None


def _invalid(message: str) -> ApiError:
    return ApiError("invalid_arguments", response_metadata={"messages": [f"[ERROR] {message}"]})


def _file_refs(value: Any) -> list[dict[str, Any]]:
    """The ``files`` argument: a JSON array of objects that each carry a string ``id``."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise _invalid("files must be a JSON array [json-pointer:/files]") from exc
    if not isinstance(value, list) or not value:
        raise _invalid("must provide a non-empty array [json-pointer:/files]")
    for ref in value:
        if not isinstance(ref, dict) or not isinstance(ref.get("id"), str):
            raise _invalid("each file needs an id [json-pointer:/files]")
    return value


class FilesApi(ChatApi):
    """Pending uploads by file id, and the files shared so far."""

    def _init_state(self) -> None:
        super()._init_state()
        self._pending_uploads: dict[str, _Pending] = {}  # file id -> upload in progress
        self._upload_keys: dict[str, str] = {}  # upload URL key -> file id
        self._uploads: list[Upload] = []

    def _api_methods(self) -> dict[str, Handler]:
        return {
            **super()._api_methods(),
            "files.completeUploadExternal": self._files_complete_upload_external,
            "files.getUploadURLExternal": self._files_get_upload_url_external,
        }

    def _reset_locked(self) -> None:
        super()._reset_locked()
        self._uploads.clear()

    def uploads(self, channel: str | None = None) -> list[Upload]:
        """Files shared by files.completeUploadExternal, oldest first; one per channel shared to.

        ``channel`` filters like :meth:`messages` (an id, a name, or a user id for the DM).
        """
        with self._lock:
            channel_id = self._lookup_channel_id(channel) if channel else None
            return [
                u for u in self._uploads if channel is None or u.channel_id in (channel, channel_id)
            ]

    # ---------------------------------------------------------------- the upload URL

    def _route_other(self, path: str, headers: EmailMessage, body: bytes) -> HttpAnswer | None:
        if path.startswith(_PREFIX):
            return self._handle_upload(path[len(_PREFIX) :], headers, body)
        return super()._route_other(path, headers, body)

    def _handle_upload(self, key: str, headers: EmailMessage, body: bytes) -> HttpAnswer:
        content = body
        content_type = headers.get("Content-Type", "") or ""
        if content_type.lower().startswith("multipart/form-data"):
            try:
                parts = parse_body(content_type, body)
            except ApiError:
                return 400, dict(TEXT_CONTENT), b"invalid_form_data"
            files = [v for v in parts.values() if isinstance(v, bytes)]
            if len(files) != 1:
                return 400, dict(TEXT_CONTENT), b"expected_one_file"
            content = files[0]
        with self._lock:
            pending = self._pending_uploads.get(self._upload_keys.get(key, ""))
            if pending is None:
                return 404, dict(TEXT_CONTENT), b"not_found"
            call = Call(
                method="upload_url",
                args={"file_id": pending.file_id, "length": len(content)},
                token=None,
                at=time.time(),
            )
            self._calls.append(call)
            failure = self._text_failure(call)
            if failure is not None:
                return failure
            pending.content = content
        return 200, dict(TEXT_CONTENT), f"OK - {len(content)}".encode()

    # ---------------------------------------------------------------- methods (lock held)

    def _files_get_upload_url_external(self, request: ApiRequest) -> dict[str, Any]:
        try:
            length = int(str(request.args["length"]))
        except ValueError as exc:
            raise _invalid("must be an integer [json-pointer:/length]") from exc
        if length < 0:
            raise _invalid("must be a non-negative integer [json-pointer:/length]")
        alt_txt = str_arg(request.args, "alt_txt")
        if alt_txt is not None and len(alt_txt) > _MAX_ALT_TXT:
            raise ApiError("alt_txt_too_large")
        file_id = random_id("F")
        key = secrets.token_urlsafe(24)
        self._pending_uploads[file_id] = _Pending(
            file_id=file_id,
            filename=str(request.args["filename"]),
            length=length,
            alt_txt=alt_txt,
            snippet_type=str_arg(request.args, "snippet_type"),
        )
        self._upload_keys[key] = file_id
        return {"upload_url": f"{self.base_url}{_PREFIX}{key}", "file_id": file_id}

    def _files_complete_upload_external(self, request: ApiRequest) -> dict[str, Any]:
        install = request.bot
        refs = _file_refs(request.args["files"])
        pending = [self._pending_uploads.get(ref["id"]) for ref in refs]
        found = [p for p in pending if p is not None and p.content is not None]
        if len(found) != len(refs):  # unknown, already completed, or its bytes never arrived
            raise ApiError("file_not_found")
        channel_id = str_arg(request.args, "channel_id")
        refs_to_share = (
            [channel_id]
            if channel_id
            else [c.strip() for c in str(request.args.get("channels") or "").split(",") if c]
        )
        channels = [self._resolve_post_channel(ref) for ref in refs_to_share]
        for channel in channels:
            if channel.is_archived:
                raise ApiError("is_archived")
            if not channel.is_member:
                raise ApiError("not_in_channel")

        thread_ts = str_arg(request.args, "thread_ts")
        comment = str_arg(request.args, "initial_comment")
        shared: list[dict[str, Any]] = []
        for ref, upload in zip(refs, found, strict=True):
            assert upload.content is not None  # checked above
            title = str_arg(ref, "title") or upload.filename
            del self._pending_uploads[upload.file_id]
            targets: list[str | None] = [c.id for c in channels] or [None]
            for target in targets:
                self._uploads.append(
                    Upload(
                        file_id=upload.file_id,
                        filename=upload.filename,
                        title=title,
                        content=upload.content,
                        channel_id=target,
                        thread_ts=thread_ts,
                        initial_comment=comment,
                        alt_txt=upload.alt_txt,
                        snippet_type=upload.snippet_type,
                    )
                )
            shared.append(self._file_json(upload, title, install, [c.id for c in channels]))
        return {"files": shared}

    def _file_json(
        self, upload: _Pending, title: str, install: Install, channel_ids: list[str]
    ) -> dict[str, Any]:
        now = int(time.time())
        shared_to = [self._channels[c] for c in channel_ids]
        public = [c.id for c in shared_to if not c.is_private and not c.is_im]
        extension = upload.filename.rpartition(".")[2].lower() if "." in upload.filename else ""
        data: dict[str, Any] = {
            "id": upload.file_id,
            "created": now,
            "timestamp": now,
            "name": upload.filename,
            "title": title,
            "mimetype": mimetypes.guess_type(upload.filename)[0] or "application/octet-stream",
            "filetype": extension or "binary",
            "user": install.bot_user_id,
            "user_team": install.team_id,
            "editable": False,
            "size": len(upload.content or b""),
            "mode": "hosted",
            "is_external": False,
            "is_public": bool(public),
            "public_url_shared": False,
            "url_private": (
                f"https://files.slack.com/files-pri/{install.team_id}-{upload.file_id}/"
                f"{upload.filename}"
            ),
            "channels": public,
            "groups": [c.id for c in shared_to if c.is_private],
            "ims": [c.id for c in shared_to if c.is_im],
        }
        if upload.alt_txt is not None:
            data["alt_txt"] = upload.alt_txt
        return data
