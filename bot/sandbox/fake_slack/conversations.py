"""The workspace directory: users and conversations (``users.info``, ``conversations.info``)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.sandbox.fake_slack.records import (
    ApiError,
    ApiRequest,
    Channel,
    Handler,
    User,
    random_id,
    str_arg,
)
from bot.sandbox.fake_slack.server import FakeSlackServer


class ConversationsApi(FakeSlackServer):
    """Users, channels and the bot's DMs, which the other families look channels up in."""

    def _init_state(self) -> None:
        super()._init_state()
        self._users: dict[str, User] = {}
        self._channels: dict[str, Channel] = {}
        self._dms: dict[str, str] = {}  # user id -> the bot's DM channel with them
        self._add_user_locked(
            self.bot_user_id,
            self.bot_name,
            real_name=self.bot_name,
            is_bot=True,
            tz="UTC",
            team_id=self.team_id,
        )

    def _api_methods(self) -> dict[str, Handler]:
        return {
            **super()._api_methods(),
            "conversations.info": self._conversations_info,
            "users.info": self._users_info,
        }

    # ---------------------------------------------------------------- directory

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        is_admin: bool = False,
        is_owner: bool = False,
        tz: str = "Europe/Berlin",
        is_bot: bool = False,
        real_name: str | None = None,
        display_name: str | None = None,
        email: str | None = None,
        is_primary_owner: bool = False,
    ) -> None:
        with self._lock:
            self._add_user_locked(
                user_id,
                name,
                real_name=real_name,
                display_name=display_name,
                email=email,
                is_admin=is_admin,
                is_owner=is_owner,
                is_primary_owner=is_primary_owner,
                is_bot=is_bot,
                tz=tz,
                team_id=self.team_id,
            )

    def _add_user_locked(
        self,
        user_id: str,
        name: str,
        *,
        real_name: str | None = None,
        display_name: str | None = None,
        email: str | None = None,
        is_admin: bool = False,
        is_owner: bool = False,
        is_primary_owner: bool = False,
        is_bot: bool = False,
        tz: str = "Europe/Berlin",
        team_id: str,
    ) -> None:
        self._users[user_id] = User(
            id=user_id,
            name=name,
            real_name=real_name if real_name is not None else name,
            display_name=display_name if display_name is not None else name,
            email=email,
            is_admin=is_admin or is_owner or is_primary_owner,
            is_owner=is_owner or is_primary_owner,
            is_primary_owner=is_primary_owner,
            is_bot=is_bot,
            tz=tz,
            team_id=team_id,
        )

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        is_private: bool = False,
        bot_is_member: bool = True,
        is_archived: bool = False,
    ) -> None:
        with self._lock:
            self._channels[channel_id] = Channel(
                id=channel_id,
                name=name,
                is_private=is_private,
                is_member=bot_is_member,
                is_archived=is_archived,
            )

    def bot_joins(self, channel_id: str, name: str | None = None) -> None:
        """Someone invited the bot: it is a member of the channel from now on (the channel is
        created, public, when the fake doesn't know it)."""
        with self._lock:
            channel = self._channels.get(channel_id)
            if channel is None:
                self._channels[channel_id] = Channel(
                    id=channel_id, name=name or channel_id.lower(), is_member=True
                )
            else:
                channel.is_member = True

    def user_name(self, user_id: str) -> str | None:
        with self._lock:
            user = self._users.get(user_id)
            return user.name if user else None

    def channel_name(self, channel_id: str) -> str | None:
        with self._lock:
            channel = self._channels.get(channel_id)
            if channel is None:
                return None
            return "directmessage" if channel.is_im else channel.name

    def channel_type(self, channel_id: str) -> str:
        """The ``channel_type`` Slack puts on message events: channel, group or im."""
        with self._lock:
            channel = self._channels.get(channel_id)
        if channel is None:
            return {"D": "im", "G": "group"}.get(channel_id[:1], "channel")
        if channel.is_im:
            return "im"
        return "group" if channel.is_private else "channel"

    # ---------------------------------------------------------------- helpers (lock held)

    def _lookup_channel_id(self, ref: str | None) -> str | None:
        """A channel id from an id, a ``#name``/name, or a user id with an open DM."""
        if not ref:
            return None
        if ref in self._channels:
            return ref
        dm = self._dms.get(ref)
        if dm:
            return dm
        name = ref.lstrip("#")
        for channel in self._channels.values():
            if not channel.is_im and channel.name == name:
                return channel.id
        return None

    def _open_dm_locked(self, user_id: str) -> Channel:
        channel_id = self._dms.get(user_id)
        if channel_id is None:
            channel_id = random_id("D")
            self._channels[channel_id] = Channel(
                id=channel_id, name=user_id, is_im=True, im_user=user_id
            )
            self._dms[user_id] = channel_id
        return self._channels[channel_id]

    def _resolve_post_channel(self, ref: str) -> Channel:
        """A channel for chat.* methods: an id, a #name, or a user id (the bot's DM)."""
        channel_id = self._lookup_channel_id(ref)
        if channel_id is not None:
            return self._channels[channel_id]
        if ref[:1] in ("U", "W") and ref in self._users:
            return self._open_dm_locked(ref)
        raise ApiError("channel_not_found")

    def _channel_json(self, channel: Channel) -> dict[str, Any]:
        if channel.is_im:
            return {
                "id": channel.id,
                "created": channel.created,
                "is_im": True,
                "is_org_shared": False,
                "user": channel.im_user,
                "is_user_deleted": False,
                "priority": 0,
            }
        return {
            "id": channel.id,
            "name": channel.name,
            "name_normalized": channel.name,
            "is_channel": True,
            "is_group": False,
            "is_im": False,
            "is_mpim": False,
            "is_private": channel.is_private,
            "created": channel.created,
            "is_archived": channel.is_archived,
            "is_general": channel.name == "general",
            "is_member": channel.is_member,
            "is_shared": False,
            "is_ext_shared": False,
            "is_org_shared": False,
            "context_team_id": self.team_id,
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
        }

    # ---------------------------------------------------------------- methods (lock held)

    def _users_info(self, request: ApiRequest) -> dict[str, Any]:
        user = self._users.get(str_arg(request.args, "user") or "")
        if user is None:
            raise ApiError("user_not_found")
        try:
            zone = ZoneInfo(user.tz)
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("UTC")
        now = datetime.now(UTC).astimezone(zone)
        offset = now.utcoffset()
        profile: dict[str, Any] = {
            "display_name": user.display_name,
            "display_name_normalized": user.display_name,
            "real_name": user.real_name,
            "real_name_normalized": user.real_name,
            "team": user.team_id,
        }
        if user.email:
            profile["email"] = user.email
        return {
            "user": {
                "id": user.id,
                "team_id": user.team_id,
                "name": user.name,
                "deleted": False,
                "real_name": user.real_name,
                "tz": user.tz,
                "tz_label": now.tzname() or user.tz,
                "tz_offset": int(offset.total_seconds()) if offset else 0,
                "is_admin": user.is_admin,
                "is_owner": user.is_owner,
                "is_primary_owner": user.is_primary_owner,
                "is_restricted": False,
                "is_ultra_restricted": False,
                "is_bot": user.is_bot,
                "is_app_user": False,
                "updated": int(time.time()),
                "profile": profile,
            }
        }

    def _conversations_info(self, request: ApiRequest) -> dict[str, Any]:
        channel = self._channels.get(str_arg(request.args, "channel") or "")
        if channel is None:
            raise ApiError("channel_not_found")
        return {"channel": self._channel_json(channel)}
