"""Rights given in Slack: a channel's admins (its first setter-up, and whoever they add) and the
workspace's calibration managers. Reading rights, and who counts as a bot admin, is
`bot.slack.people`; this module changes them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session, sessionmaker

from storage import admins as admin_store
from storage import channels as channel_store


class Change(StrEnum):
    """What adding or removing someone did."""

    DONE = "done"
    ALREADY = "already"  # added twice, or removed someone who wasn't there
    LAST_ADMIN = "last admin"  # a channel keeps at least one admin


@dataclass(frozen=True)
class ChannelAdmins:
    """A channel's admins, and whether it has been set up at all."""

    admins: tuple[str, ...]
    set_up: bool  # it has settings (a schedule, a mode, ...)


class Admins:
    """Adds and removes channel admins and calibration managers; each change records who made
    it and when. Callers check the rights first."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def of_channel(self, team_id: str, channel_id: str) -> ChannelAdmins:
        with self.sessions.begin() as session:
            admins = admin_store.channel_admins(session, team_id, channel_id)
            row = channel_store.get_schedule(session, team_id, channel_id)
            return ChannelAdmins(tuple(admins), row is not None)

    def is_unclaimed(self, team_id: str, channel_id: str) -> bool:
        """No settings and no admins: the first person to set it up becomes its admin."""
        found = self.of_channel(team_id, channel_id)
        return not found.set_up and not found.admins

    def channels_of(self, team_id: str, user_id: str) -> list[str]:
        """The channels `user_id` is an admin of."""
        with self.sessions.begin() as session:
            return list(admin_store.admin_channels(session, team_id, user_id))

    def add(
        self, team_id: str, channel_id: str, user_id: str, added_by: str, now: datetime
    ) -> Change:
        with self.sessions.begin() as session:
            added = admin_store.add_channel_admin(
                session, team_id, channel_id, user_id, added_by, now
            )
        return Change.DONE if added else Change.ALREADY

    def remove(self, team_id: str, channel_id: str, user_id: str) -> Change:
        """Refused for the channel's last admin: someone must be left to ask."""
        with self.sessions.begin() as session:
            admins = admin_store.channel_admins(session, team_id, channel_id)
            if user_id not in admins:
                return Change.ALREADY
            if len(admins) == 1:
                return Change.LAST_ADMIN
            admin_store.remove_channel_admin(session, team_id, channel_id, user_id)
            return Change.DONE

    def set_admins(
        self, team_id: str, channel_id: str, admins: list[str], by: str, now: datetime
    ) -> None:
        """The channel's admins become exactly `admins` (not empty), in one transaction."""
        if not admins:
            raise ValueError("a channel keeps at least one admin")
        with self.sessions.begin() as session:
            for user_id in admin_store.channel_admins(session, team_id, channel_id):
                if user_id not in admins:
                    admin_store.remove_channel_admin(session, team_id, channel_id, user_id)
            for user_id in admins:
                admin_store.add_channel_admin(session, team_id, channel_id, user_id, by, now)

    def claim_intro(self, team_id: str, channel_id: str, joined_ts: str, now: datetime) -> bool:
        """True the first time this join is seen: the caller posts the intro."""
        with self.sessions.begin() as session:
            return admin_store.claim_intro(session, team_id, channel_id, joined_ts, now)

    def add_manager(self, team_id: str, user_id: str, added_by: str, now: datetime) -> Change:
        with self.sessions.begin() as session:
            added = admin_store.add_manager(session, team_id, user_id, added_by, now)
        return Change.DONE if added else Change.ALREADY

    def remove_manager(self, team_id: str, user_id: str) -> Change:
        with self.sessions.begin() as session:
            removed = admin_store.remove_manager(session, team_id, user_id)
        return Change.DONE if removed else Change.ALREADY
