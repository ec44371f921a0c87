"""Who is asking, and what they may run.

How rights resolve, per workspace (first match wins; only the last step asks Slack):

- **Bot admins** run everything, in every channel: whoever installed the app (the OAuth
  installations' users, each reinstall's too; a single-workspace bot, run with a token, has no
  recorded installer),
  the ids in INTERVIEW_ADMINS, and Slack's workspace admins and owners (from `users.info`).
- **Channel admins** run one channel (schedule, pause, mode, reminders, `now`, `reveal`, its
  admins): whoever first set the channel up, and whoever a channel admin or bot admin added.
- **Managers** run calibration: the ids in INTERVIEW_MANAGERS, the people a bot admin added
  with `/interview managers add`, and every bot admin.

`users.info` answers are remembered per workspace and person for a few minutes (bounded), so a
burst of commands asks Slack once. A failed lookup is never remembered, and it never quietly
means "not an admin": it raises `RoleUnknown`, whose message says what happened and what to do.
A person Slack says doesn't exist is simply not a workspace admin.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cachetools import TTLCache
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from storage import admins as admin_store

log = logging.getLogger(__name__)

# How long a person's Slack role and time zone are trusted, and how many people are remembered.
PERSON_TTL = 300.0
PERSON_CACHE_SIZE = 5000
# users.info answers that say who the person is not (rather than that Slack could not answer).
NOT_A_MEMBER = frozenset({"user_not_found", "user_not_visible", "users_not_found"})

ROLE_UNKNOWN = (
    "Sorry, I couldn't check your Slack role just now (Slack answered `{error}`), so I can't "
    "tell whether you may do this. Nothing was changed. Please try again in a minute; if it "
    "keeps failing, ask whoever runs this bot to look at its logs."
)


class RoleUnknown(Exception):
    """`users.info` failed, so whether the person is a workspace admin is unknown."""

    def __init__(self, user_id: str, error: str) -> None:
        super().__init__(f"users.info failed for {user_id}: {error}")
        self.user_id = user_id
        self.error = error

    @property
    def message(self) -> str:
        """What to tell the person, in their words."""
        return ROLE_UNKNOWN.format(error=self.error)


@dataclass(frozen=True)
class Person:
    user_id: str
    is_admin: bool  # a Slack workspace admin or owner, or in INTERVIEW_ADMINS
    timezone: str
    role_error: str | None = None  # why Slack could not say (then is_admin is only a guess)
    name: str | None = None  # as Slack shows them (for plain text, where a mention can't be)


def look_up(client: WebClient, user_id: str, extra_admins: frozenset[str]) -> Person:
    """Workspace admins and owners are admins, and so is anyone listed in INTERVIEW_ADMINS."""
    try:
        user = client.users_info(user=user_id)["user"]
    except Exception as exc:  # Slack said no or can't be reached
        error = (
            str(exc.response.get("error")) if isinstance(exc, SlackApiError) else type(exc).__name__
        )
        if error in NOT_A_MEMBER:
            return Person(user_id, user_id in extra_admins, "UTC")
        log.warning("users.info failed", extra={"user": user_id, "error": error})
        return Person(user_id, user_id in extra_admins, "UTC", role_error=error)
    is_admin = bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
    return Person(
        user_id, is_admin or user_id in extra_admins, user.get("tz") or "UTC", name=_name_of(user)
    )


class People:
    """Who is asking, per workspace: bot admins run everything, channel admins their channel,
    managers calibration. See the module docstring for the order."""

    def __init__(
        self,
        client_for: Callable[[str], WebClient],
        extra_admins: frozenset[str],
        managers: frozenset[str] = frozenset(),
        *,
        sessions: sessionmaker[Session] | None = None,
        installers: Callable[[str], tuple[str, ...]] = lambda _team_id: (),
        clock: Callable[[], float] = time.monotonic,
        ttl: float = PERSON_TTL,
        size: int = PERSON_CACHE_SIZE,
    ) -> None:
        self.client_for = client_for
        self.extra_admins = extra_admins
        self.managers = managers
        self.sessions = sessions
        self.installers = installers
        self._people: TTLCache[tuple[str, str], Person] = TTLCache(
            maxsize=size, ttl=ttl, timer=clock
        )
        self._installed_by: TTLCache[str, tuple[str, ...]] = TTLCache(
            maxsize=1000, ttl=ttl, timer=clock
        )
        self._lock = threading.Lock()

    # -- what Slack says --------------------------------------------------------------------------

    def person(self, team_id: str, user_id: str) -> Person:
        """The person's role and time zone: from the cache, else `users.info` (a failed lookup
        is not remembered, so the next request asks again)."""
        key = (team_id, user_id)
        with self._lock:
            found = self._people.get(key)
        if found is not None:
            return found
        person = look_up(self.client_for(team_id), user_id, self.extra_admins)
        if person.role_error is None:
            with self._lock:
                self._people[key] = person
        return person

    def forget(self, team_id: str, user_id: str) -> None:
        """Ask Slack again next time (e.g. after their role changed)."""
        with self._lock:
            self._people.pop((team_id, user_id), None)

    # -- rights -----------------------------------------------------------------------------------

    def is_admin(self, team_id: str, user_id: str) -> bool:
        """A bot admin: its installers, INTERVIEW_ADMINS, Slack workspace admins and owners.
        Raises RoleUnknown when only Slack could tell and it did not answer."""
        if user_id in self.extra_admins or (user_id and user_id in self._installers(team_id)):
            return True
        person = self.person(team_id, user_id)
        if person.role_error is not None:
            raise RoleUnknown(user_id, person.role_error)
        return person.is_admin

    def is_channel_admin(self, team_id: str, channel_id: str, user_id: str) -> bool:
        """An admin of this channel, or a bot admin. Raises RoleUnknown like `is_admin`."""
        return user_id in self.channel_admins(team_id, channel_id) or self.is_admin(
            team_id, user_id
        )

    def is_manager(self, team_id: str, user_id: str) -> bool:
        """INTERVIEW_MANAGERS, managers added in Slack, and bot admins. Raises RoleUnknown like
        `is_admin`."""
        return user_id in self.managers_of(team_id) or self.is_admin(team_id, user_id)

    # -- who to ask -------------------------------------------------------------------------------

    def channel_admins(self, team_id: str, channel_id: str) -> Sequence[str]:
        """The channel's own admins (bot admins not included), the longest-serving first."""
        if self.sessions is None:
            return ()
        with self.sessions.begin() as session:
            return list(admin_store.channel_admins(session, team_id, channel_id))

    def bot_admins(self, team_id: str) -> list[str]:
        """The bot admins the bot can name: the installer, then INTERVIEW_ADMINS. (Slack's
        workspace admins are admins too, but Slack gives no cheap way to list them.)"""
        installers = self._installers(team_id)
        return list(installers) + sorted(self.extra_admins - set(installers))

    def managers_of(self, team_id: str) -> list[str]:
        """INTERVIEW_MANAGERS, then the managers added in Slack (bot admins not included)."""
        added: Sequence[str] = ()
        if self.sessions is not None:
            with self.sessions.begin() as session:
                added = admin_store.managers(session, team_id)
        return sorted(self.managers) + [m for m in added if m not in self.managers]

    def managers_to_ask(self, team_id: str) -> list[str]:
        """Who can run calibration, to name in a refusal: managers, then the bot's admins."""
        managers = self.managers_of(team_id)
        return managers + [a for a in self.bot_admins(team_id) if a not in managers]

    def plain_name(self, team_id: str) -> Callable[[str], str]:
        """A person's name as Slack shows it, without a mention (for plain text)."""

        def name(user_id: str) -> str:  # remembered like the role: a form's 3 s allow few asks
            return self.person(team_id, user_id).name or user_id

        return name

    def _installers(self, team_id: str) -> tuple[str, ...]:
        with self._lock:
            if team_id in self._installed_by:
                return self._installed_by[team_id]
        try:
            installers = self.installers(team_id)
        except Exception as exc:  # installers we can't read grant nothing now; ask again later
            log.warning("installer lookup failed", extra={"error": type(exc).__name__})
            return ()
        with self._lock:
            self._installed_by[team_id] = installers
        return installers


SLACK_ADMINS = " or a Slack workspace admin"


def ask_one_of(
    people: Sequence[str],
    slack_admins: str = SLACK_ADMINS,
    name: Callable[[str], str] = lambda user_id: f"<@{user_id}>",
    most: int = 5,
) -> str:
    """Who to ask: as mentions (which notify nobody in a private reply), or as `name` gives
    them (plain names, for a form's error, which Slack shows as plain text); the first `most`
    of them, and how many more."""
    if not people:
        return "Ask a Slack workspace admin or owner."
    named = ", ".join(name(p) for p in people[:most])
    if len(people) > most:
        named += f" ({len(people) - most} more)"
    if len(people) == 1:
        return f"Ask {named}{slack_admins}."
    return f"Ask one of them: {named}{slack_admins}."


def display_name(client: WebClient, user_id: str) -> str | None:
    """How Slack shows a person (display name, else real name, else handle); None when Slack
    can't say. For naming someone without a mention, which would notify them."""
    try:
        user = client.users_info(user=user_id)["user"]
    except Exception as exc:
        error = exc.response.get("error") if isinstance(exc, SlackApiError) else type(exc).__name__
        log.info("users.info failed", extra={"user": user_id, "error": error})
        return None
    return _name_of(user)


def _name_of(user: dict[str, Any]) -> str | None:
    """Display name, else real name, else handle."""
    profile = user.get("profile") or {}
    name = profile.get("display_name") or profile.get("real_name") or user.get("real_name")
    return str(name or user.get("name") or "") or None
