"""Who is asking: admin rights and time zone, from `users.info` plus INTERVIEW_ADMINS."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Person:
    user_id: str
    is_admin: bool
    timezone: str


def look_up(client: WebClient, user_id: str, extra_admins: frozenset[str]) -> Person:
    """Workspace admins and owners are admins, and so is anyone listed in INTERVIEW_ADMINS."""
    try:
        user = client.users_info(user=user_id)["user"]
    except Exception as exc:  # Slack said no or can't be reached: no admin rights from Slack
        error = exc.response.get("error") if isinstance(exc, SlackApiError) else type(exc).__name__
        log.warning("users.info failed", extra={"user": user_id, "error": error})
        return Person(user_id, user_id in extra_admins, "UTC")
    is_admin = bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
    return Person(user_id, is_admin or user_id in extra_admins, user.get("tz") or "UTC")


class People:
    """Who is asking, per workspace: admins run channels, managers run calibration."""

    def __init__(
        self,
        client_for: Callable[[str], WebClient],
        extra_admins: frozenset[str],
        managers: frozenset[str] = frozenset(),
    ) -> None:
        self.client_for = client_for
        self.extra_admins = extra_admins
        self.managers = managers

    def person(self, team_id: str, user_id: str) -> Person:
        return look_up(self.client_for(team_id), user_id, self.extra_admins)

    def is_admin(self, team_id: str, user_id: str) -> bool:
        """Workspace admins and owners, and INTERVIEW_ADMINS."""
        return self.person(team_id, user_id).is_admin

    def is_manager(self, team_id: str, user_id: str) -> bool:
        """Workspace admins and owners, INTERVIEW_ADMINS, and INTERVIEW_MANAGERS."""
        return user_id in self.managers or self.is_admin(team_id, user_id)


def display_name(client: WebClient, user_id: str) -> str | None:
    """How Slack shows a person (display name, else real name, else handle); None when Slack
    can't say. For naming someone without a mention, which would notify them."""
    try:
        user = client.users_info(user=user_id)["user"]
    except Exception as exc:
        error = exc.response.get("error") if isinstance(exc, SlackApiError) else type(exc).__name__
        log.info("users.info failed", extra={"user": user_id, "error": error})
        return None
    profile = user.get("profile") or {}
    name = profile.get("display_name") or profile.get("real_name") or user.get("real_name")
    return str(name or user.get("name") or "") or None
