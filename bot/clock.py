"""The clock: every minute, post due questions and reveal due rounds, per channel time zone."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import TypeVar
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.orm import Session, sessionmaker

from bot.calibration.sessions import CalibrationService
from bot.channels.service import schedule_of
from bot.privacy.service import PrivacyService
from bot.rounds.inbox import Inbox
from bot.rounds.reveal import Revealed
from bot.rounds.service import RoundService, Started
from storage import channels as channel_store
from storage import rounds as round_store
from storage.channels import ChannelSchedule

log = logging.getLogger(__name__)

# A post missed by more than this (the bot was down) is skipped, not posted late.
POST_GRACE = timedelta(minutes=60)
# A claim not confirmed by a post within this long was interrupted (the process died).
CLAIM_TIMEOUT = timedelta(minutes=2)
# A reveal not confirmed within this long was interrupted; it is tried again.
REVEAL_TIMEOUT = timedelta(minutes=10)
# Events the request thread has not applied after this long are retried by the clock.
INBOX_RETRY_AFTER = timedelta(minutes=1)


@dataclass
class TickReport:
    posted: list[str] = field(default_factory=list)  # channel ids
    revealed: list[int] = field(default_factory=list)  # round ids
    reminded: list[int] = field(default_factory=list)  # round ids
    skipped: list[str] = field(default_factory=list)  # channel ids
    closed_sessions: list[int] = field(default_factory=list)  # calibration session ids


class Clock:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        rounds: RoundService,
        inbox: Inbox | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        calibration: CalibrationService | None = None,
    ) -> None:
        self.sessions = sessions
        self.rounds = rounds
        self.inbox = inbox
        self.now = now
        self.calibration = calibration

    def tick(self, now: datetime | None = None) -> TickReport:
        """One pass: reveals first (so a catch-up closes yesterday before opening today), then
        reminders, then posts, then calibration sessions due to close. Safe to run in several
        processes at once: every action is claimed in the database. One channel's failure is
        logged and never stops the others."""
        now = now or self.now()
        report = TickReport()
        with self.sessions.begin() as session:
            interrupted = round_store.expire_stale_claims(session, now - CLAIM_TIMEOUT)
            for round_id in round_store.reopen_stale_reveals(session, now - REVEAL_TIMEOUT):
                log.warning("reveal interrupted; retrying", extra={"round": round_id})
        # Recovered first, so a round found posted is revealed in this same pass if it is due.
        for round_id in interrupted:
            recover = partial(self.rounds.recover_interrupted, round_id)
            if not _guarded("recover", round_id, recover):
                log.warning(
                    "round interrupted before its post was confirmed; not retried",
                    extra={"round": round_id},
                )
        with self.sessions.begin() as session:
            due = [(rnd.team_id, rnd.id) for rnd in round_store.due_reveals(session, now)]
            reminders = [
                (rnd.team_id, rnd.id) for rnd, _ in round_store.due_reminders(session, now)
            ]
        for revealed in _in_lanes(partial(self._reveal, now), due):
            report.revealed.extend(revealed)
        for reminded in _in_lanes(partial(self._remind, now), reminders):
            report.reminded.extend(reminded)
        posts = [(post[0], post) for post in self.due_posts(now)]
        for lane in _in_lanes(partial(self._post_lane, now), posts):
            report.posted.extend(lane.posted)
            report.skipped.extend(lane.skipped)
        if self.calibration is not None:
            closed = _guarded("calibration", "close", partial(self.calibration.close_due, now))
            report.closed_sessions.extend(closed or [])
        if self.inbox is not None:
            _guarded("inbox", "drain", partial(self.inbox.drain, now - INBOX_RETRY_AFTER))
            _guarded("inbox", "prune", partial(self.inbox.prune, now))
        return report

    def _reveal(self, now: datetime, round_ids: list[int]) -> list[int]:
        revealed = []
        for round_id in round_ids:
            outcome = _guarded("reveal", round_id, partial(self.rounds.reveal, round_id, now))
            if isinstance(outcome, Revealed):
                revealed.append(round_id)
        return revealed

    def _remind(self, now: datetime, round_ids: list[int]) -> list[int]:
        reminded = []
        for round_id in round_ids:
            if _guarded("reminder", round_id, partial(self.rounds.remind, round_id, now)):
                reminded.append(round_id)
        return reminded

    def _post_lane(self, now: datetime, posts: list[tuple[str, str, date, datetime]]) -> TickReport:
        """One workspace's due posts, one after another."""
        report = TickReport()
        for team_id, channel_id, local_date, post_at in posts:
            self._post_or_skip(report, team_id, channel_id, local_date, post_at, now)
        return report

    def refresh_counts(self) -> None:
        """The live "N answered so far" on open questions (its own job, every 30 seconds)."""
        _guarded("counts", "refresh", partial(self.rounds.refresh_counts, self.now()))

    def _post_or_skip(
        self,
        report: TickReport,
        team_id: str,
        channel_id: str,
        local_date: date,
        post_at: datetime,
        now: datetime,
    ) -> None:
        if now - post_at <= POST_GRACE:
            post = partial(self.rounds.post_scheduled, team_id, channel_id, local_date, now)
            if isinstance(_guarded("post", channel_id, post), Started):
                report.posted.append(channel_id)
            return
        skip = partial(self.rounds.skip, team_id, channel_id, local_date, now)
        if _guarded("skip", channel_id, skip):
            report.skipped.append(channel_id)
            log.warning(
                "post skipped: missed by more than the grace period",
                extra={
                    "team": team_id,
                    "channel": channel_id,
                    "date": str(local_date),
                    "due": post_at.isoformat(),
                },
            )

    def due_posts(self, now: datetime) -> list[tuple[str, str, date, datetime]]:
        """(team, channel, local date, post instant) for every post due and not yet claimed,
        found with two queries whatever the number of channels. A channel whose stored schedule
        can't be read is logged and skipped: one broken row never stops the others."""
        # Every zone's local date is within a day of UTC's; yesterday's post may still be due.
        today = now.astimezone(UTC).date()
        with self.sessions.begin() as session:
            rows = channel_store.all_schedules(session)
            taken = round_store.daily_slots_taken(
                session, today - timedelta(days=2), today + timedelta(days=1)
            )
        due: list[tuple[str, str, date, datetime]] = []
        for row in rows:
            try:
                due += _due_for(row, now, taken)
            except Exception:
                log.exception(
                    "schedule unreadable; channel skipped",
                    extra={"team": row.team_id, "channel": row.channel_id},
                )
        return due


def _due_for(
    row: ChannelSchedule, now: datetime, taken: set[tuple[str, str, date]]
) -> list[tuple[str, str, date, datetime]]:
    schedule = schedule_of(row)
    if row.paused or schedule is None:
        return []
    due = []
    today = now.astimezone(ZoneInfo(schedule.timezone)).date()
    # Yesterday too: a 23:50 post is still due at 00:10.
    for local_date in (today - timedelta(days=1), today):
        if not schedule.is_practice_day(local_date):
            continue
        post_at = schedule.post_at(local_date)
        if post_at > now or post_at < row.updated_at:
            continue
        if (row.team_id, row.channel_id, local_date) in taken:
            continue
        due.append((row.team_id, row.channel_id, local_date, post_at))
    return due


T = TypeVar("T")


# At most this many workspaces are served at once; each workspace gets one lane.
POST_LANES = 32
W = TypeVar("W")


def _in_lanes(work: Callable[[list[W]], T], items: list[tuple[str, W]]) -> list[T]:
    """Run `work` on each workspace's items (keyed by team id), the workspaces in parallel.
    Slack limits posting per workspace and per channel, so a workspace's posts go one at a
    time (its lane waits out a 429's Retry-After alone) while other workspaces go on; a
    single workspace runs on the calling thread."""
    by_team: dict[str, list[W]] = {}
    for team_id, item in items:
        by_team.setdefault(team_id, []).append(item)
    if len(by_team) <= 1:
        return [work(batch) for batch in by_team.values()]
    with ThreadPoolExecutor(
        max_workers=min(POST_LANES, len(by_team)), thread_name_prefix="clock-lane"
    ) as pool:
        return list(pool.map(work, by_team.values()))


def _guarded(action: str, subject: object, run: Callable[[], T]) -> T | None:
    """Run one scheduled action; log (with its subject) and carry on if it fails."""
    try:
        return run()
    except Exception:
        log.exception("scheduled action failed", extra={"action": action, "subject": subject})
        return None


def start_background_clock(clock: Clock, retention_days: int | None = None) -> BackgroundScheduler:
    """Tick at the top of every minute (and once now, to catch up after a restart); with a
    retention period, delete old answers at start and every day at 03:17 UTC."""
    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.add_job(
        _safe_tick,
        CronTrigger(second=0, timezone=UTC),
        args=[clock],
        id="tick",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=30,
        next_run_time=datetime.now(UTC),
    )
    if retention_days is not None:
        expire = PrivacyService(clock.sessions).delete_old_answers
        scheduler.add_job(
            lambda: _guarded(
                "retention", retention_days, lambda: expire(retention_days, clock.now())
            ),
            CronTrigger(hour=3, minute=17, timezone=UTC),
            id="retention",
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(UTC),
        )
    scheduler.add_job(
        clock.refresh_counts, "interval", seconds=30, id="counts", max_instances=1, coalesce=True
    )
    scheduler.start()
    return scheduler


def _safe_tick(clock: Clock) -> None:
    try:
        report = clock.tick()
        if report.posted or report.revealed or report.skipped:
            log.info(
                "tick",
                extra={
                    "posted": report.posted,
                    "revealed": report.revealed,
                    "skipped": report.skipped,
                },
            )
    except Exception:
        log.exception("tick failed")
