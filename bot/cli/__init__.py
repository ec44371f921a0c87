"""The command line: `python -m bot <command>`, one of run, web, clock, migrate, status, export,
forget, questions, calibration and demo (run when none is given); `--help` describes each.

Each sub-command imports what it needs when it runs, so `--help` and the light ones start fast."""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import signal
import sys
import threading
from datetime import date
from pathlib import Path
from typing import Any

from dotenv import load_dotenv

from bot import logs
from bot.config import ConfigError, Settings

log = logging.getLogger("bot")


def _version() -> str:
    """The installed version (`pyproject.toml`; the CHANGELOG says what it brought)."""
    from importlib import metadata

    try:
        return metadata.version("interview-practice-bot")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def _command(sub: Any, name: str, text: str) -> argparse.ArgumentParser:
    """A sub-command whose one line shows in `--help` and heads its own `--help`."""
    parser: argparse.ArgumentParser = sub.add_parser(name, help=text, description=text)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Interview practice bot. Without a command: run (or the demo, offline).",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {_version()}", help="the bot's version"
    )
    sub = parser.add_subparsers(dest="command", title="commands", metavar="COMMAND")
    _command(sub, "run", "HTTP server (or Socket Mode) plus the clock, in one process")
    _command(sub, "web", "HTTP server only (run the clock as its own process)")
    _command(sub, "clock", "the clock only: posts and reveals on schedule")
    _command(sub, "migrate", "bring the database schema up to date")
    demo = _command(sub, "demo", "play today offline against a local fake Slack, in seconds")
    demo.add_argument("--speed", type=float, default=1.0, help="pace multiplier (0: no pauses)")
    demo.add_argument(
        "--questions",
        type=Path,
        metavar="FILE",
        help="preview every question of your bank as it would be posted, then play the day "
        "with it (problems are listed with file and line)",
    )
    _command(sub, "status", "channels (by name), schedules, next posts and reveals, failed rounds")
    questions = _command(sub, "questions", "question bank tools")
    questions_sub = questions.add_subparsers(
        dest="questions_command", required=True, title="commands", metavar="COMMAND"
    )
    check = _command(questions_sub, "check", "validate a YAML question bank")
    check.add_argument("file", nargs="?", type=Path, help="default: QUESTIONS_FILE")
    export = _command(
        sub,
        "export",
        "write rounds (question, category, difficulty, kind, mode, answers, votes) and, in "
        "JSON, calibration sessions",
    )
    export.add_argument("--format", choices=("json", "csv"), default="json", help="default: json")
    export.add_argument("--team", help="only this workspace (team id)")
    export.add_argument("--channel", help="only this channel (channel id)")
    export.add_argument(
        "--since", type=_date, help="only rounds (and sessions) on or after YYYY-MM-DD"
    )
    forget = _command(
        sub,
        "forget",
        "delete everything stored about one person (as /interview forget-me), one channel or "
        "one workspace",
    )
    whom = forget.add_mutually_exclusive_group(required=True)
    whom.add_argument("--user", help="a person's Slack user id (U… or W…)")
    whom.add_argument(
        "--channel",
        help="a channel id (C… or G…): its schedule, rounds, answers, votes, blind answers, "
        "reminders and calibration sessions",
    )
    whom.add_argument(
        "--workspace",
        metavar="TEAM",
        help="a workspace's team id (T…), after it removed the app: all of its data and tokens",
    )
    forget.add_argument(
        "--team", help="with --user or --channel: only in this workspace; default: every one"
    )
    calibration = _command(sub, "calibration", "interviewer calibration tools")
    calibration_sub = calibration.add_subparsers(
        dest="calibration_command", required=True, title="commands", metavar="COMMAND"
    )
    report = _command(
        calibration_sub, "report", "panel agreement, each interviewer's severity, who is calibrated"
    )
    report.add_argument("--team", help="only this workspace (team id)")
    report.add_argument("--since", type=_date, help="only sessions closed on or after YYYY-MM-DD")
    form = report.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="the figures as JSON")
    form.add_argument("--csv", action="store_true", help="the figures as CSV")
    args = parser.parse_args(argv)
    command = args.command or "run"

    load_dotenv(os.environ.get("DOTENV_PATH", ".env"))
    logs.configure(os.environ.get("LOG_LEVEL", "INFO"))
    try:
        if command == "migrate":
            return _migrate()
        if command == "export":
            return _export(args.team, args.channel, args.since, args.format)
        if command == "forget":
            if args.channel is not None:
                return _forget_channel(args.channel, args.team)
            if args.workspace is not None:
                return _forget_workspace(args.workspace, args.team)
            return _forget(args.user, args.team)
        if command == "status":
            return _status()
        if command == "calibration":
            return _calibration_report(args.team, args.since, args.json, args.csv)
        if command == "questions":
            return _check_questions(args.file)
        if command == "demo":
            return _demo(args.speed, args.questions)
        if command == "run" and not any(os.environ.get(n) for n in SLACK_CREDENTIALS):
            print(
                "No Slack credentials in .env (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET): "
                "running the offline demo instead; see README.md to connect to Slack.",
                file=sys.stderr,
            )
            return _demo(1.0, None)
        settings = Settings.from_env(os.environ)
        _refuse_split_sqlite(command, settings)
        return _serve(settings, web=command in ("run", "web"), clock=command in ("run", "clock"))
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    except StartupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


class StartupError(Exception):
    pass


def _refuse_split_sqlite(command: str, settings: Settings) -> None:
    """`web` and `clock` as separate processes need one database both can see; on a hosting
    platform each process gets its own disk, so a SQLite file would split in two."""
    if command not in ("web", "clock") or not settings.database_url.startswith("sqlite:"):
        return
    if os.environ.get("SQLITE_SHARED", "").lower() in ("1", "true", "yes"):
        return
    raise StartupError(
        f"`{command}` alone needs a database the other process shares: use PostgreSQL, run "
        "`python -m bot` (server and clock in one process), or set SQLITE_SHARED=1 if both "
        "processes really use the same SQLite file"
    )


SLACK_CREDENTIALS = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_CLIENT_ID",
)


def _demo(speed: float, questions: Path | None) -> int:
    from bot.questions.bank import QuestionBank, QuestionBankError
    from bot.sandbox.demo import run_demo

    if speed < 0:
        raise StartupError("--speed must be 0 (no pauses) or more")
    if questions is not None:
        try:
            QuestionBank.load(questions)
        except QuestionBankError as exc:
            raise StartupError(f"the question bank is invalid:\n{exc}") from None
    logging.getLogger().setLevel(logging.WARNING)
    run_demo(speed, questions)
    return 0


def _database_url() -> str:
    from bot.config import DEFAULT_DATABASE_URL

    # Only the database is needed here, so Slack credentials are not required.
    env = {**os.environ, "SLACK_SIGNING_SECRET": "-", "SLACK_BOT_TOKEN": "xoxb-unused"}
    env.pop("SLACK_CLIENT_ID", None)
    env.pop("SLACK_CLIENT_SECRET", None)
    return (
        Settings.from_env(env).database_url
        if os.environ.get("DATABASE_URL")
        else DEFAULT_DATABASE_URL
    )


def _migrate() -> int:
    from storage.db import make_engine, migrate

    engine = make_engine(_database_url())
    try:
        migrate(engine)
    except Exception as exc:
        raise StartupError(f"migration failed: {exc}") from exc
    print("database is up to date", file=sys.stderr)
    return 0


def _existing_database():  # noqa: ANN202 - an Engine; imported lazily
    """The configured database, if it exists and is migrated; else a clear StartupError."""
    from sqlalchemy.exc import OperationalError

    from storage.db import is_up_to_date, make_engine

    url = _database_url()
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        raise StartupError(
            f"no database file at {url.removeprefix('sqlite:///')}; check DATABASE_URL"
        )
    engine = make_engine(url)
    try:
        ready = is_up_to_date(engine)
    except OperationalError as exc:
        raise StartupError(f"database: {str(exc).splitlines()[0]}") from None
    if not ready:
        raise StartupError("the database is not set up: run `python -m bot migrate` first")
    return engine


def _export(team_id: str | None, channel_id: str | None, since: date | None, form: str) -> int:
    from bot.calibration.reports import export_sessions
    from bot.cli.export import ExportFilter, export_rounds, rounds_csv
    from storage.db import make_session_factory

    if channel_id is not None and not CHANNEL_ID.fullmatch(channel_id):
        raise StartupError(f"--channel takes a channel id like C012ABCDEF, not {channel_id!r}")
    sessions = make_session_factory(_existing_database())
    bank = _bank_for_export()
    with sessions.begin() as session:
        data = export_rounds(session, bank, ExportFilter(team_id, channel_id, since))
        if form == "csv":
            sys.stdout.write(rounds_csv(data["rounds"]))
            return 0
        data["calibration"] = [
            s
            for s in export_sessions(session, team_id)
            if (channel_id is None or s["channel"] == channel_id)
            and (since is None or _session_day(s) >= since.isoformat())
        ]
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def _session_day(exported: dict[str, Any]) -> str:
    """The day a calibration session closed (or closes), as YYYY-MM-DD; "9" sorts after any."""
    when = exported.get("closed_at") or exported.get("closes_at")
    return str(when)[:10] if when else "9"


def _bank_for_export():  # noqa: ANN202 - a QuestionBank or None; imported lazily
    """The question bank, for the rounds' question text; without it (a broken or missing
    file) bank questions are exported without text, category and difficulty."""
    from bot.questions.bank import QuestionBank, QuestionBankError

    path = Path(os.environ.get("QUESTIONS_FILE") or "data/questions.yaml")
    try:
        return QuestionBank.load(path)
    except QuestionBankError as exc:
        print(
            f"warning: the question bank can't be read ({str(exc).splitlines()[0]}): bank "
            "questions are exported without their text, category and difficulty",
            file=sys.stderr,
        )
        return None


def _forget(user_id: str, team_id: str | None) -> int:
    """`/interview forget-me` without the question: the operator acts on a person's request."""
    from datetime import UTC, datetime

    from bot.privacy.service import PrivacyService
    from bot.slack.mrkdwn import plural
    from storage.db import make_session_factory

    if not USER_ID.fullmatch(user_id):
        raise StartupError(f"--user takes a Slack user id like U012ABCDEF, not {user_id!r}")
    service = PrivacyService(make_session_factory(_existing_database()))
    forgotten = service.forget(team_id, user_id, datetime.now(UTC))
    where = f"workspace {team_id}" if team_id else "every workspace"
    counts = [
        plural(forgotten.answers + forgotten.blind_answers, "answer"),
        plural(forgotten.votes_cast, "vote") + " cast",
        plural(forgotten.votes_received, "vote") + " on their answers",
        plural(forgotten.scores, "calibration score"),
        plural(forgotten.evidence, "calibration evidence", "calibration evidence"),
        plural(forgotten.names, "row") + " naming them",
        plural(forgotten.events, "stored event"),
    ]
    print(f"forgot {user_id} in {where}: {', '.join(counts)}")
    return 0


USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")
CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{2,}")
TEAM_ID = re.compile(r"[TE][A-Z0-9]{2,}")


def _forget_channel(channel_id: str, team_id: str | None) -> int:
    """Everything the bot stored about a channel goes; the bot posts there again only if
    someone sets it up again (and only while it is still a member)."""
    from datetime import UTC, datetime

    from bot.privacy.service import PrivacyService
    from storage.db import make_session_factory

    if not CHANNEL_ID.fullmatch(channel_id):
        raise StartupError(f"--channel takes a channel id like C012ABCDEF, not {channel_id!r}")
    service = PrivacyService(make_session_factory(_existing_database()))
    deleted = service.forget_channel(team_id, channel_id, datetime.now(UTC))
    where = f"workspace {team_id}" if team_id else "every workspace"
    print(f"forgot channel {channel_id} in {where}: {_deleted_rows(deleted)}")
    return 0


def _forget_workspace(team_id: str, also_team: str | None) -> int:
    """Everything the bot stored about a workspace goes, its tokens too: for after it removed
    the app (a workspace still using it would find the bot no longer answering there)."""
    from datetime import UTC, datetime

    from bot.privacy.service import PrivacyService
    from storage.db import make_session_factory

    if also_team is not None:
        raise StartupError("--workspace names the workspace already; leave out --team")
    if not TEAM_ID.fullmatch(team_id):
        raise StartupError(f"--workspace takes a team id like T012ABCDEF, not {team_id!r}")
    service = PrivacyService(make_session_factory(_existing_database()))
    deleted = service.forget_workspace(team_id, datetime.now(UTC))
    print(f"forgot workspace {team_id}: {_deleted_rows(deleted)}")
    return 0


def _deleted_rows(deleted: dict[str, int]) -> str:
    return ", ".join(_deleted(table, n) for table, n in deleted.items())


def _deleted(table: str, count: int) -> str:
    from bot.slack.mrkdwn import plural

    one, many = FORGOTTEN_ROWS.get(table, (table.replace("_", " "),) * 2)
    return plural(count, one, many)


# what `forget --channel` and `--workspace` say they deleted, per table: one row, several
# (other tables by their name)
FORGOTTEN_ROWS = {
    "channel_schedules": ("schedule and settings row", "schedule and settings rows"),
    "rounds": ("round (with its reminders)", "rounds (with their reminders)"),
    "answers": ("answer", "answers"),
    "votes": ("vote", "votes"),
    "blind_answers": ("blind answer", "blind answers"),
    "calibration_sessions": ("calibration session", "calibration sessions"),
    "calibration_scores": ("calibration score", "calibration scores"),
    "inbox_events": ("stored event emptied", "stored events emptied"),
    "custom_questions": ("team question", "team questions"),
    "slack_installations": ("installation", "installations"),
    "slack_bots": ("bot token", "bot tokens"),
    "channel_admins": ("channel admin", "channel admins"),
    "calibration_managers": ("calibration manager", "calibration managers"),
    "channel_intros": ("channel intro", "channel intros"),
    "people_prefs": ("person's preferences", "people's preferences"),
    "snoozes": ("snooze", "snoozes"),
}


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date like 2026-01-31: {text!r}") from None


def _calibration_report(
    team_id: str | None, since: date | None, as_json: bool, as_csv: bool
) -> int:
    from bot.calibration.render import report_text
    from bot.calibration.reports import CalibrationReports, report_csv
    from storage.db import make_session_factory

    report = CalibrationReports(make_session_factory(_existing_database())).report(team_id, since)
    if as_json:
        json.dump(report.to_dict(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif as_csv:
        sys.stdout.write(report_csv(report))
    else:  # the Slack text, readable in a terminal
        text = report_text(report, since=since.isoformat() if since else None)
        print(text.replace("*", "").replace(":warning:", "!").replace(":white_check_mark:", "✓"))
    return 0


def _check_questions(path: Path | None) -> int:
    """Every problem with its line number; exit status 1 when there is any."""
    from bot.questions.bank import QuestionBank, check_bank
    from bot.slack.mrkdwn import plural

    path = path or Path(os.environ.get("QUESTIONS_FILE") or "data/questions.yaml")
    problems = check_bank(path)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{plural(len(problems), 'problem')} in {path}", file=sys.stderr)
        return 1
    bank = QuestionBank.load(path)
    summary = ", ".join(f"{c} {n}" for c, n in bank.categories().items())
    print(f"{path}: {plural(len(bank.questions), 'question')}, all valid ({summary})")
    return 0


def _status() -> int:
    from datetime import UTC, datetime

    from bot.cli.status import ChannelNames, status_report
    from storage.db import make_session_factory

    engine = _existing_database()
    sessions = make_session_factory(engine)
    names = ChannelNames(_slack_clients(engine))
    with sessions.begin() as session:
        print(status_report(session, datetime.now(UTC), names))
    return 0


def _slack_clients(engine: Any) -> Any:
    """Each workspace's client from the bot's credentials in the environment (a bot token, or
    the tokens saved by OAuth installs); None without credentials: status shows channel ids."""
    from bot.slack.clients import make_client
    from bot.slack.installs import SingleWorkspace, WorkspaceClients

    try:
        settings = Settings.from_env(os.environ)
    except ConfigError:
        return None
    if not settings.oauth_enabled:
        return SingleWorkspace(make_client(settings, settings.bot_token))
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

    assert settings.client_id  # oauth_enabled says it is set
    return WorkspaceClients(
        settings, SQLAlchemyInstallationStore(client_id=settings.client_id, engine=engine)
    )


def _serve(settings: Settings, *, web: bool, clock: bool) -> int:
    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from slack_sdk.errors import SlackApiError
    from sqlalchemy import make_url
    from sqlalchemy.exc import OperationalError

    from bot.app import DatabaseNotMigrated, build_bot
    from bot.clock import start_background_clock
    from bot.questions.bank import QuestionBankError
    from bot.server import make_wsgi, serve
    from bot.shutdown import STOP_BUDGET, Stop, finish

    try:
        bot = build_bot(settings)
    except QuestionBankError as exc:
        raise StartupError(f"the question bank is invalid:\n{exc}") from None
    except (DatabaseNotMigrated, OperationalError) as exc:
        cause = getattr(exc, "orig", None) or exc  # psycopg's message, not SQLAlchemy's wrapper
        where = make_url(settings.database_url).render_as_string(hide_password=True)
        message = str(cause).strip().splitlines()[0]
        raise StartupError(f"database: {message} (DATABASE_URL={where})") from None
    except SlackApiError as exc:
        raise StartupError(
            f"Slack rejected the bot token ({exc.response.get('error')}); check SLACK_BOT_TOKEN"
        ) from None
    except OSError as exc:  # no route to Slack (after the client's own retries)
        raise StartupError(f"cannot reach Slack at {settings.slack_api_url}: {exc}") from None

    socket_mode = None
    if web and settings.app_token:  # Socket Mode: Slack refusing the socket stops start-up
        from bot.socket_mode import SocketModeError, open_socket_mode

        try:
            socket_mode = open_socket_mode(bot.app, settings.app_token)
        except SocketModeError as exc:
            raise StartupError(str(exc)) from None

    # SIGTERM (a deploy, a restart) and Ctrl-C: stop taking work, finish what is in flight
    # (requests, the listeners they started, a clock tick) within the budget, then exit 0.
    stop = Stop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop.on_signal)
    applied = bot.inbox.drain()
    log.info("started", extra={"questions": len(bot.bank.questions), "replayed_events": applied})
    scheduler = start_background_clock(bot.clock, settings.retention_days) if clock else None

    def stop_clock() -> None:  # from the signal on, alongside the HTTP drain
        stop.event.wait()
        if scheduler is not None:
            scheduler.shutdown(wait=True)  # no new tick; the running one finishes

    clock_stopper = threading.Thread(target=stop_clock, name="stop-clock", daemon=True)
    clock_stopper.start()
    finished = True
    if socket_mode is not None:  # PORT serves /healthz (and OAuth's pages), nothing of Slack's
        from bot.socket_mode import socket_mode_wsgi

        wsgi = socket_mode_wsgi(SlackRequestHandler(bot.app), bot.engine, settings.oauth_enabled)
        finished = serve(wsgi, settings.port, stop.requested, grace=STOP_BUDGET - 3)
        # no new envelopes; the ones being handled are acknowledged first
        finished &= finish(socket_mode.close, stop.remaining(reserve=2), "stop-socket-mode")
    elif web:
        secret = settings.signing_secret or None
        wsgi = make_wsgi(SlackRequestHandler(bot.app), bot.engine, secret, bot.store_event)
        finished = serve(wsgi, settings.port, stop.requested, grace=STOP_BUDGET - 3)
    else:
        log.info("clock running")
        stop.wait()
    log.info("stopping: finishing listeners and the clock")
    if web:  # what acknowledged requests stored (the inbox's writer applies it)
        finished &= bot.inbox.stop_writer(stop.remaining(reserve=2))
    if web:  # what acknowledged requests started (Bolt runs listeners after the ack)
        listeners = bot.app.listener_runner.listener_executor
        finished &= finish(listeners.shutdown, stop.remaining(reserve=1), "stop-listeners")
    clock_stopper.join(stop.remaining(reserve=0.5))
    finished &= not clock_stopper.is_alive()
    bot.engine.dispose()
    log.info("stopped", extra={"finished": finished})
    if not finished:  # a thread is stuck (a Slack call retrying): exit anyway, within budget
        logs.flush()
        logging.shutdown()
        os._exit(0)
    return 0
