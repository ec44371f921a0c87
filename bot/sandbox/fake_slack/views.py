"""Modals and App Home: ``views.open`` (with single-use trigger ids), ``views.update`` and
``views.publish``."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from bot.sandbox.fake_slack.conversations import ConversationsApi
from bot.sandbox.fake_slack.records import ApiError, ApiRequest, Handler, Install, random_id

_MAX_VIEW_BLOCKS = 100


class ViewsApi(ConversationsApi):
    """Views by id (latest state) and each user's published Home view."""

    def _init_state(self) -> None:
        super()._init_state()
        self._triggers: dict[str, bool] = {}  # trigger_id -> already used
        self._views: dict[str, dict[str, Any]] = {}
        self._home_views: dict[str, str] = {}  # user id -> view id

    def _api_methods(self) -> dict[str, Handler]:
        return {
            **super()._api_methods(),
            "views.open": self._views_open,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
        }

    def _reset_locked(self) -> None:
        super()._reset_locked()
        self._views.clear()
        self._home_views.clear()

    def new_trigger_id(self) -> str:
        """A trigger_id that views.open accepts once."""
        trigger = f"{secrets.randbelow(10**11):011d}.{secrets.randbelow(10**9):09d}."
        trigger += secrets.token_hex(16)
        with self._lock:
            self._triggers[trigger] = False
        return trigger

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        """The Home view last published for ``user_id`` (a copy), or None."""
        with self._lock:
            view_id = self._home_views.get(user_id)
            if view_id is None:
                return None
            copy: dict[str, Any] = json.loads(json.dumps(self._views[view_id]))
            return copy

    # ---------------------------------------------------------------- helpers (lock held)

    @staticmethod
    def _validate_view(view: Any, *, home: bool) -> dict[str, Any]:
        def invalid(message: str) -> ApiError:
            return ApiError(
                "invalid_arguments", response_metadata={"messages": [f"[ERROR] {message}"]}
            )

        if not isinstance(view, dict):
            raise invalid("failed to match all allowed schemas [json-pointer:/view]")
        view_type = view.get("type")
        if home and view_type != "home":
            raise invalid("must be home [json-pointer:/view/type]")
        if not home and view_type != "modal":
            raise invalid("must be modal [json-pointer:/view/type]")
        blocks = view.get("blocks")
        if not isinstance(blocks, list) or not all(
            isinstance(b, dict) and isinstance(b.get("type"), str) for b in blocks
        ):
            raise invalid("must provide an array [json-pointer:/view/blocks]")
        if len(blocks) > _MAX_VIEW_BLOCKS:
            raise invalid("no more than 100 items allowed [json-pointer:/view/blocks]")
        if not home:
            title = view.get("title")
            if not isinstance(title, dict) or not title.get("text"):
                raise invalid("must provide an object [json-pointer:/view/title]")
            if len(str(title["text"])) > 24:
                raise invalid("must be less than 25 characters [json-pointer:/view/title/text]")
        return view

    def _store_view(
        self, install: Install, view: dict[str, Any], *, view_id: str | None = None
    ) -> dict[str, Any]:
        view_id = view_id or random_id("V")
        stored = {
            "id": view_id,
            "team_id": install.team_id,
            "type": view["type"],
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "title": view.get("title"),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "close": view.get("close"),
            "submit": view.get("submit"),
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": install.app_id,
            "external_id": view.get("external_id", ""),
            "app_installed_team_id": install.team_id,
            "bot_id": install.bot_id,
        }
        self._views.pop(view_id, None)  # keep insertion order == last change
        self._views[view_id] = stored
        return stored

    def _consume_trigger(self, request: ApiRequest) -> None:
        trigger = str(request.args["trigger_id"])
        if trigger not in self._triggers:
            raise ApiError("invalid_trigger_id")
        if self._triggers[trigger]:
            raise ApiError("exchanged_trigger_id")
        self._triggers[trigger] = True

    # ---------------------------------------------------------------- methods (lock held)

    def _views_open(self, request: ApiRequest) -> dict[str, Any]:
        install = request.bot
        view = self._validate_view(request.args["view"], home=False)
        self._consume_trigger(request)
        return {"view": self._store_view(install, view)}

    def _views_update(self, request: ApiRequest) -> dict[str, Any]:
        """A modal replaced by id (or external id); a `hash` older than the view's last change
        is refused, as Slack does, so a stale update can't overwrite a newer one."""
        install = request.bot
        view_id = request.args.get("view_id")
        if not view_id and request.args.get("external_id"):
            external = str(request.args["external_id"])
            view_id = next(
                (k for k, v in self._views.items() if v["external_id"] == external), None
            )
        existing = self._views.get(str(view_id)) if view_id else None
        if existing is None or existing["type"] != "modal":
            raise ApiError("not_found")
        expected_hash = request.args.get("hash")
        if expected_hash and existing["hash"] != expected_hash:
            raise ApiError("hash_conflict")
        view = self._validate_view(request.args["view"], home=False)
        return {"view": self._store_view(install, view, view_id=existing["id"])}

    def _views_publish(self, request: ApiRequest) -> dict[str, Any]:
        install = request.bot
        user_id = str(request.args["user_id"])
        if user_id not in self._users:
            raise ApiError("user_not_found")
        view = self._validate_view(request.args["view"], home=True)
        existing = self._home_views.get(user_id)
        expected_hash = request.args.get("hash")
        if expected_hash and existing and self._views[existing]["hash"] != expected_hash:
            raise ApiError("hash_conflict")
        stored = self._store_view(install, view, view_id=existing)
        self._home_views[user_id] = stored["id"]
        return {"view": stored}
