"""Reports across a workspace's closed calibration sessions: read the scores, hand them to the
statistics, and give the figures as text, a chart, JSON or CSV."""

from __future__ import annotations

import csv
import io
import logging
from datetime import UTC, date, datetime, time
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.calibration.agreement import Rating
from bot.calibration.interviewers import InterviewerProfile, interviewer_profiles
from bot.calibration.overview import CalibrationReport, build_report
from bot.slack.errors import slack_error
from storage import calibration as store

log = logging.getLogger(__name__)

BOOTSTRAP = 1000  # resamples for every alpha's interval


def ratings(session: Session, team_id: str | None, since: date | None = None) -> list[Rating]:
    """Every score of the closed sessions (of a workspace, from a date on) as a Rating."""
    start = datetime.combine(since, time(0), UTC) if since else None
    rows = store.closed_sessions(session, team_id, start)
    by_id = {row.id: row for row in rows}
    result = []
    for score in store.scores_of_sessions(session, list(by_id)):
        row = by_id[score.session_id]
        assert row.closed_at is not None  # closed sessions have a close time
        result.append(
            Rating(
                session_id=row.id,
                rater=score.rater_id,
                score=score.score,
                expected=row.expected_score,
                question_id=row.question_id,
                category=row.category,
                closed_at=row.closed_at,
            )
        )
    return result


class CalibrationReports:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def report(
        self, team_id: str | None, since: date | None = None, bootstrap: int = BOOTSTRAP
    ) -> CalibrationReport:
        with self.sessions.begin() as session:
            found = ratings(session, team_id, since)
        return build_report(found, bootstrap=bootstrap)

    def profiles(self, team_id: str) -> list[InterviewerProfile]:
        """Each interviewer's calibration, without the bootstrap (quick enough for the Home tab)."""
        with self.sessions.begin() as session:
            found = ratings(session, team_id)
        return interviewer_profiles(found)

    def send_chart(self, client: WebClient, user_id: str, report: CalibrationReport) -> None:
        _send_chart(client, user_id, report)


def report_csv(report: CalibrationReport) -> str:
    """One row per figure: the panel's alphas, then each interviewer's profile."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["kind", "key", "value", "low", "high", "sessions", "calibrated", "note"])
    data = report.to_dict()
    rows: list[tuple[str, str, dict[str, Any]]] = [("alpha", "overall", data["overall"])]
    rows += [("alpha_question", k, v) for k, v in data["by_question"].items()]
    rows += [("alpha_category", k, v) for k, v in data["by_category"].items()]
    for kind, key, alpha in rows:
        note = (
            "not enough data"
            if alpha["value"] is None
            else ("below .667" if alpha["below_threshold"] else "")
        )
        writer.writerow(
            [kind, key, alpha["value"], alpha["low"], alpha["high"], alpha["units"], "", note]
        )
    for profile in data["profiles"]:
        severity = profile["severity"] or {}
        writer.writerow(
            [
                "severity",
                profile["rater"],
                severity.get("shrunk"),
                severity.get("low"),
                severity.get("high"),
                profile["sessions"],
                profile["calibrated"],
                "; ".join(profile["reasons"]) if profile["ranked"] else "too few sessions",
            ]
        )
    return out.getvalue()


def export_sessions(session: Session, team_id: str | None) -> list[dict[str, Any]]:
    """`python -m bot export`'s `calibration` key: every session with its scores."""
    result = []
    for row in store.all_sessions(session, team_id):
        result.append(
            {
                "id": row.id,
                "team": row.team_id,
                "channel": row.channel_id,
                "question_id": row.question_id,
                "evidence_kind": row.evidence_kind,
                "evidence": row.evidence,
                "specimen": row.specimen,
                "expected_score": row.expected_score,
                "status": row.status,
                "started_by": row.started_by,
                "closes_at": row.closes_at.isoformat() if row.closes_at else None,
                "closed_at": row.closed_at.isoformat() if row.closed_at else None,
                "scores": [
                    {"rater": s.rater_id, "score": s.score, "note": s.note}
                    for s in store.scores(session, row.id)
                ],
            }
        )
    return result


def _send_chart(client: WebClient, user_id: str, report: CalibrationReport) -> None:
    """The report's chart in the manager's DM with the bot (an ephemeral reply can't hold one)."""
    from bot.calibration.charts import report_png  # matplotlib: only when drawn

    try:
        png = report_png(report, names=_display_names(client, [p.rater for p in report.profiles]))
        opened = client.chat_postMessage(
            channel=user_id,
            text="Your calibration report: severity per interviewer and alpha per question.",
        )
        client.files_upload_v2(
            channel=str(opened["channel"]),
            content=png,
            filename="calibration-report.png",
            title="Calibration report",
        )
    except Exception as exc:  # the figures went out as text already
        log.warning("calibration report chart failed", extra={"error": slack_error(exc)})


def _display_names(client: WebClient, user_ids: list[str]) -> dict[str, str]:
    """People's names for the chart (an image can't show mentions); the id when Slack can't say."""
    names: dict[str, str] = {}
    for user_id in user_ids:
        try:
            user = client.users_info(user=user_id)["user"]
            profile = user.get("profile") or {}
            names[user_id] = profile.get("display_name") or user.get("real_name") or user["name"]
        except Exception:  # a name is a nicety; the id still identifies the person
            names[user_id] = user_id
    return names
