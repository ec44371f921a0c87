"""Forgetting one person (`/interview forget-me`, `python -m bot forget --user`) or one channel
(`python -m bot forget --channel`), and deleting old answers (`RETENTION_DAYS`), in the caller's
transaction.

What is theirs, and what becomes of it:

- their thread answers become tombstones: no text, no author, deleted, and a version later than
  any Slack ts, so an edit or a redelivered reply that arrives afterwards can't bring the text
  back (the row keeps only the channel and the message ts); the votes others cast on those
  answers are deleted with them;
- their blind answers, the votes they cast, their calibration scores and notes are deleted;
- a calibration session whose evidence was their answer keeps the panel's scores (those are
  the panel's) but loses the text and its author; one still waiting for their consent is
  declined;
- where they are named as the one who did something (started a round or a session, closed a
  session, changed a schedule, added or reviewed a team question, installed the app), the name
  is removed and the thing stays;
- stored Events API deliveries that are theirs (their messages, edits, deletions, reactions,
  and reactions to their answers) keep only their event id, so Slack's retries are still
  recognised, and are never applied.

Other people's words stay theirs, even when they mention this person. Stats are computed from
the rows above, so they go with them.

Forgetting a channel (or a workspace) deletes every row of every table that names the channel
(or the workspace: its tokens too), found in the database itself, so tables added later are
covered too, and every row hanging off those (a round's blind answers, a session's scores); its
stored event deliveries keep only their id.

Queries only: the caller owns the session and its transaction; nothing here commits.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    MetaData,
    Table,
    column,
    delete,
    exists,
    false,
    func,
    or_,
    select,
    table,
    true,
    update,
)
from sqlalchemy.orm import Session, aliased

from storage import admins as admin_store
from storage import people_prefs
from storage.admins import CalibrationManager, ChannelAdmin
from storage.blind import BlindAnswer
from storage.calibration import CalibrationScore, CalibrationSession
from storage.channels import ChannelSchedule
from storage.db import rows_changed
from storage.inbox import InboxEvent
from storage.questions import CustomQuestion
from storage.rounds import Answer, Round
from storage.states import AnswerMode, EvidenceKind, SessionStatus
from storage.votes import Vote

# Later than any Slack message ts (seconds until the year 2286): no edit is newer.
FORGOTTEN_VERSION = "9999999999.999999"
# What stands in a required "who" column once the person is forgotten.
NOBODY = ""
REMOVED_EVIDENCE = "(removed: its author asked the bot to forget their data)"
DELETED_EVIDENCE = "(removed: its author deleted this answer in Slack)"

# slack_sdk's installation store table (created by migration 0002); storage never imports
# slack_sdk, so only the columns used here are named.
_INSTALLATIONS = table(
    "slack_installations",
    column("team_id"),
    column("user_id"),
    column("user_token"),
    column("user_scopes"),
    column("user_refresh_token"),
    column("user_token_expires_at"),
)


@dataclass(frozen=True)
class Stored:
    """What the bot holds about a person, as the confirmation shows it."""

    answers: int
    blind_answers: int
    votes: int
    scores: int
    evidence: int  # calibration sessions that score one of their answers
    runs: tuple[str, ...] = ()  # the channels they are an admin of
    alone_in: tuple[str, ...] = ()  # of those, the ones with no other admin
    manager: bool = False  # a hiring manager added in Slack
    installed: bool = False  # they installed the app (which made them a bot admin)

    @property
    def nothing(self) -> bool:
        return not (
            self.answers or self.blind_answers or self.votes or self.scores or self.evidence
        )


@dataclass(frozen=True)
class Forgotten:
    """What forgetting a person changed."""

    answers: int
    blind_answers: int
    votes_cast: int
    votes_received: int
    scores: int
    evidence: int
    names: int  # rows where they were named as the one who did something
    events: int  # stored event deliveries emptied


def _in_team(col: Any, team_id: str | None) -> ColumnElement[bool]:
    return col == team_id if team_id is not None else col.is_not(None)


def stored(session: Session, team_id: str | None, user_id: str) -> Stored:
    def count(model: Any, *where: ColumnElement[bool]) -> int:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    runs = _channels_run(session, team_id, user_id)
    return Stored(
        answers=_thread_answers(session, _their_answers(team_id, user_id)),
        blind_answers=count(
            BlindAnswer, _in_team(BlindAnswer.team_id, team_id), BlindAnswer.user_id == user_id
        ),
        votes=count(
            Vote, _in_team(Vote.team_id, team_id), Vote.voter_id == user_id, Vote.active.is_(True)
        ),
        scores=count(
            CalibrationScore,
            _in_team(CalibrationScore.team_id, team_id),
            CalibrationScore.rater_id == user_id,
        ),
        evidence=count(
            CalibrationSession,
            _in_team(CalibrationSession.team_id, team_id),
            CalibrationSession.author_id == user_id,
        ),
        runs=tuple(channel for channel, _ in runs),
        alone_in=tuple(channel for channel, admins in runs if admins == 1),
        manager=count(
            CalibrationManager,
            _in_team(CalibrationManager.team_id, team_id),
            CalibrationManager.user_id == user_id,
        )
        > 0,
        installed=count(
            _INSTALLATIONS, _INSTALLATIONS.c.user_id == user_id, _installed_here(team_id)
        )
        > 0,
    )


def _installed_here(team_id: str | None) -> ColumnElement[bool]:
    """Installs that serve the workspace: its own, and an org-wide one (no team id)."""
    if team_id is None:
        return true()
    return or_(_INSTALLATIONS.c.team_id == team_id, _INSTALLATIONS.c.team_id.is_(None))


def _channels_run(session: Session, team_id: str | None, user_id: str) -> list[tuple[str, int]]:
    """The channels `user_id` is an admin of, each with its number of admins."""
    other = aliased(ChannelAdmin)
    admins_here = (
        select(func.count())
        .select_from(other)
        .where(other.team_id == ChannelAdmin.team_id, other.channel_id == ChannelAdmin.channel_id)
        .scalar_subquery()
    )
    query = (
        select(ChannelAdmin.channel_id, admins_here)
        .where(_in_team(ChannelAdmin.team_id, team_id), ChannelAdmin.user_id == user_id)
        .order_by(ChannelAdmin.channel_id)
    )
    return [(channel, int(admins)) for channel, admins in session.execute(query)]


def forget_user(session: Session, team_id: str | None, user_id: str, now: datetime) -> Forgotten:
    """Delete or anonymise everything of `user_id` (in one workspace, or in all with None)."""
    if not user_id:
        raise ValueError("no user id given")
    theirs = _their_answers(team_id, user_id)
    votes_received = rows_changed(
        session.execute(
            delete(Vote).where(
                exists().where(
                    theirs,
                    Answer.team_id == Vote.team_id,
                    Answer.channel_id == Vote.channel_id,
                    Answer.ts == Vote.message_ts,
                )
            )
        )
    )
    answers = _thread_answers(session, theirs)
    session.execute(
        update(Answer)
        .where(theirs)
        .values(
            text="",
            user_id=NOBODY,
            deleted=True,
            deleted_at=func.coalesce(Answer.deleted_at, now),
            version=FORGOTTEN_VERSION,
        )
    )
    blind_answers = _delete(
        session, BlindAnswer, _in_team(BlindAnswer.team_id, team_id), BlindAnswer.user_id == user_id
    )
    votes_cast = _delete(session, Vote, _in_team(Vote.team_id, team_id), Vote.voter_id == user_id)
    scores = _delete(
        session,
        CalibrationScore,
        _in_team(CalibrationScore.team_id, team_id),
        CalibrationScore.rater_id == user_id,
    )
    evidence = _forget_evidence(session, team_id, user_id)
    names = admin_store.forget_person(session, team_id, user_id)  # the rights they were given
    names += people_prefs.forget_person(session, team_id, user_id)  # pings, snoozes
    names += _forget_names(session, team_id, user_id)
    events = _forget_events(session, team_id, user_id, now)
    return Forgotten(
        answers=answers,
        blind_answers=blind_answers,
        votes_cast=votes_cast,
        votes_received=votes_received,
        scores=scores,
        evidence=evidence,
        names=names,
        events=events,
    )


def _their_answers(team_id: str | None, user_id: str) -> ColumnElement[bool]:
    """The person's thread answers (tombstones of a forgotten person have no author)."""
    condition: ColumnElement[bool] = (Answer.user_id == user_id) & _in_team(Answer.team_id, team_id)
    return condition


def _thread_answers(session: Session, theirs: ColumnElement[bool]) -> int:
    """Their answers in the thread of an open round (not deleted). A blind round's answers are
    counted as blind answers: the reveal's posted copies are not counted twice."""
    query = (
        select(func.count())
        .select_from(Answer)
        .join(Round, Answer.round_id == Round.id)
        .where(theirs, Answer.deleted.is_(False), Round.mode != AnswerMode.BLIND)
    )
    return int(session.scalar(query) or 0)


def _delete(session: Session, model: Any, *where: ColumnElement[bool]) -> int:
    return rows_changed(session.execute(delete(model).where(*where)))


def _update(session: Session, model: Any, values: dict[str, Any], *where: Any) -> int:
    return rows_changed(session.execute(update(model).where(*where).values(**values)))


def _forget_evidence(session: Session, team_id: str | None, user_id: str) -> int:
    """Sessions that score their answer keep the panel's scores, not the answer or its author.
    One still waiting for their consent is declined: they can no longer be asked."""
    sessions = CalibrationSession
    in_team = _in_team(sessions.team_id, team_id)
    theirs = sessions.author_id == user_id
    _update(
        session,
        sessions,
        {"status": SessionStatus.DECLINED},
        in_team,
        theirs,
        sessions.status == SessionStatus.AWAITING_CONSENT,
    )
    return _update(
        session, sessions, {"evidence": REMOVED_EVIDENCE, "author_id": None}, in_team, theirs
    )


def forget_answer_evidence(session: Session, team_id: str, author_id: str, text: str) -> int:
    """A calibration session scoring an answer its author deleted keeps the panel's scores,
    not the text (nor who wrote it); one still waiting for their consent is declined."""
    sessions = CalibrationSession
    quoting = (
        sessions.team_id == team_id,
        sessions.author_id == author_id,
        sessions.evidence_kind == EvidenceKind.ANSWER,
        sessions.evidence == text,
    )
    _update(
        session,
        sessions,
        {"status": SessionStatus.DECLINED},
        *quoting,
        sessions.status == SessionStatus.AWAITING_CONSENT,
    )
    return _update(session, sessions, {"evidence": DELETED_EVIDENCE, "author_id": None}, *quoting)


# Columns naming who did something, per table: a nullable one is emptied, a required one gets
# NOBODY. A column a table does not have (yet) is skipped.
_NAMED_BY: tuple[tuple[Any, tuple[str, ...]], ...] = (
    (Round.__table__, ("started_by",)),
    (CalibrationSession.__table__, ("started_by", "closed_by")),
    (ChannelSchedule.__table__, ("updated_by",)),
    (CustomQuestion.__table__, ("added_by", "reviewed_by")),
    (ChannelAdmin.__table__, ("added_by",)),
    (CalibrationManager.__table__, ("added_by",)),
)


def _forget_names(session: Session, team_id: str | None, user_id: str) -> int:
    """Where they are named as the one who did something: the name goes, the thing stays."""
    changed = 0
    for model_table, names in _NAMED_BY:
        for name in names:
            col = model_table.c.get(name)
            if col is None:
                continue
            changed += _update(
                session,
                model_table,
                {name: None if col.nullable else NOBODY},
                _in_team(model_table.c.team_id, team_id),
                col == user_id,
            )
    # the installer of an OAuth install (the bot asks for no user token; any is theirs)
    changed += _update(
        session,
        _INSTALLATIONS,
        {
            "user_id": NOBODY,
            "user_token": None,
            "user_scopes": None,
            "user_refresh_token": None,
            "user_token_expires_at": None,
        },
        _INSTALLATIONS.c.user_id == user_id,
        _installed_here(team_id),
    )
    return changed


def _forget_events(session: Session, team_id: str | None, user_id: str, now: datetime) -> int:
    """Stored deliveries that are theirs keep only their event id (Slack's retries must still
    be recognised) and count as applied, so a pending one never is."""
    query = select(InboxEvent).where(
        _in_team(InboxEvent.team_id, team_id), InboxEvent.payload.contains(user_id)
    )
    emptied = 0
    for stored_event in session.scalars(query):
        if not _is_theirs(stored_event.payload, user_id):
            continue
        _empty(stored_event, now)
        emptied += 1
    return emptied


def _is_theirs(payload: str, user_id: str) -> bool:
    """Their message, edit, deletion or reaction, or a reaction to their message."""
    try:
        event = json.loads(payload).get("event") or {}
    except (ValueError, AttributeError):
        return False
    message = event.get("message") or {}
    previous = event.get("previous_message") or {}
    return user_id in (
        event.get("user"),
        event.get("item_user"),
        message.get("user") if isinstance(message, dict) else None,
        previous.get("user") if isinstance(previous, dict) else None,
    )


# -- a whole channel or workspace --------------------------------------------------------------

# Tables forgetting a channel or workspace leaves alone: the inbox is emptied, not deleted.
_NOT_CHANNEL_DATA = frozenset({"inbox_events", "alembic_version"})
Own = Callable[[Table], "ColumnElement[bool] | None"]


def forget_channel(
    session: Session, team_id: str | None, channel_id: str, now: datetime
) -> dict[str, int]:
    """Delete everything stored about `channel_id` (in one workspace, or in all with None);
    returns the rows deleted per table, in the order they went, and `inbox_events` emptied."""
    if not channel_id:
        raise ValueError("no channel id given")

    def names_channel(model_table: Table) -> ColumnElement[bool] | None:
        if "channel_id" not in model_table.c:
            return None
        condition: ColumnElement[bool] = model_table.c.channel_id == channel_id
        if team_id is not None and "team_id" in model_table.c:
            condition = condition & (model_table.c.team_id == team_id)
        return condition

    deleted = _delete_owned(session, names_channel)
    deleted["inbox_events"] = _forget_channel_events(session, team_id, channel_id, now)
    return deleted


def forget_workspace(session: Session, team_id: str, now: datetime) -> dict[str, int]:
    """Delete everything stored about a workspace (after it removed the app): every row with
    its team id, its tokens too, and every row hanging off those; its stored deliveries keep
    only their id. Returns the rows deleted per table, and `inbox_events` emptied."""
    if not team_id:
        raise ValueError("no team id given")

    def names_team(model_table: Table) -> ColumnElement[bool] | None:
        return model_table.c.team_id == team_id if "team_id" in model_table.c else None

    deleted = _delete_owned(session, names_team)
    emptied = 0
    for stored_event in session.scalars(select(InboxEvent).where(InboxEvent.team_id == team_id)):
        _empty(stored_event, now)
        emptied += 1
    deleted["inbox_events"] = emptied
    return deleted


def _delete_owned(session: Session, own: Own) -> dict[str, int]:
    """Delete the rows `own` picks in every table of the database (found in the database
    itself, so tables added later are covered too), and every row hanging off those through a
    foreign key, children first; the rows deleted per table."""
    metadata = MetaData()
    metadata.reflect(bind=session.connection())
    doomed: dict[str, tuple[Table, ColumnElement[bool]]] = {}
    for model_table in metadata.sorted_tables:  # parents first
        if model_table.name in _NOT_CHANNEL_DATA:
            continue
        condition = own(model_table)
        if condition is None:
            via = [
                fk.parent.in_(select(fk.column).where(doomed[fk.column.table.name][1]))
                for fk in model_table.foreign_keys
                if fk.column.table.name in doomed
            ]
            condition = or_(false(), *via) if via else None
        if condition is not None:
            doomed[model_table.name] = (model_table, condition)
    return {
        name: rows_changed(session.execute(delete(model_table).where(condition)))
        for name, (model_table, condition) in reversed(doomed.items())  # children first
    }


def _forget_channel_events(
    session: Session, team_id: str | None, channel_id: str, now: datetime
) -> int:
    """Stored deliveries from the channel keep only their event id, as a person's do."""
    query = select(InboxEvent).where(
        _in_team(InboxEvent.team_id, team_id), InboxEvent.payload.contains(channel_id)
    )
    emptied = 0
    for stored_event in session.scalars(query):
        try:
            event = json.loads(stored_event.payload).get("event") or {}
        except (ValueError, AttributeError):
            continue
        item = event.get("item")
        item_channel = item.get("channel") if isinstance(item, dict) else None
        if channel_id not in (event.get("channel"), item_channel):
            continue
        _empty(stored_event, now)
        emptied += 1
    return emptied


def _empty(stored_event: InboxEvent, now: datetime) -> None:
    stored_event.payload = json.dumps(
        {"event_id": stored_event.event_id, "event": {"type": stored_event.event_type}}
    )
    stored_event.processed_at = stored_event.processed_at or now
    stored_event.error = None


# -- retention ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expired:
    """What the retention period deleted."""

    answers: int
    votes: int
    blind_answers: int


def delete_old_answers(session: Session, now: datetime, days: int) -> Expired:
    """Answers (thread answers, tombstones, blind answers) last written more than `days` ago,
    and every vote on them or cast that long ago, go for good."""
    cutoff = now - timedelta(days=days)
    old = Answer.received_at < cutoff
    votes = _delete(
        session,
        Vote,
        or_(
            Vote.updated_at < cutoff,
            exists().where(
                old,
                Answer.team_id == Vote.team_id,
                Answer.channel_id == Vote.channel_id,
                Answer.ts == Vote.message_ts,
            ),
        ),
    )
    answers = _delete(session, Answer, old)
    blind_answers = _delete(session, BlindAnswer, BlindAnswer.updated_at < cutoff)
    return Expired(answers=answers, votes=votes, blind_answers=blind_answers)
