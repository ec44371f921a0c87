"""Builds the bot: database, question bank, Slack client, services, and the Bolt app."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.channels import ChannelService
from bot.clock import Clock
from bot.commands import CommandService
from bot.config import Settings
from bot.inbox import Inbox
from bot.questions import QuestionBank
from bot.rounds import RoundService
from handlers import commands, events, home
from storage.db import is_up_to_date, make_engine, make_session_factory, migrate

log = logging.getLogger(__name__)

Now = Callable[[], datetime]


class DatabaseNotMigrated(Exception):
    pass


def make_client(settings: Settings, token: str | None) -> WebClient:
    """A Web API client on SLACK_API_URL that waits out 429s and retries dropped connections."""
    return WebClient(
        token=token,
        base_url=settings.slack_api_url,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=3),
        ],
    )


def open_database(settings: Settings) -> tuple[Engine, sessionmaker[Session]]:
    """Connect; an SQLite database is migrated on start, PostgreSQL must be migrated already
    (the Procfile's release phase), so several web processes never race on a migration."""
    engine = make_engine(settings.database_url)
    if engine.dialect.name == "sqlite":
        migrate(engine)
    elif not is_up_to_date(engine):
        raise DatabaseNotMigrated(
            "the database schema is not up to date: run `python -m bot migrate` first"
        )
    return engine, make_session_factory(engine)


@dataclass
class Bot:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    bank: QuestionBank
    app: App
    rounds: RoundService
    inbox: Inbox
    clock: Clock
    commands: CommandService


def build_bot(settings: Settings, now: Now = lambda: datetime.now(UTC)) -> Bot:
    engine, sessions = open_database(settings)
    bank = QuestionBank.load(settings.questions_file)
    client = make_client(settings, settings.bot_token)

    def client_for(_team_id: str) -> WebClient:
        return client

    rounds = RoundService(sessions, bank, client_for)
    inbox = Inbox(sessions, now)
    channels = ChannelService(sessions)
    command_service = CommandService(rounds, channels, client_for, settings.admins)
    clock = Clock(sessions, rounds, inbox, now)

    app = App(
        signing_secret=settings.signing_secret,
        client=client,
        process_before_response=False,
        logger=logging.getLogger("bot.bolt"),
    )
    commands.register(app, command_service, now)
    events.register(app, inbox)
    home.register(app, channels)

    @app.error
    def on_error(
        error: Exception, body: dict, respond: Callable[..., object] | None = None
    ) -> BoltResponse | None:
        log.exception("listener failed", exc_info=error, extra={"type": body.get("type")})
        if body.get("response_url") and respond is not None:
            respond(
                text="Sorry, something went wrong on my side. It has been logged; please try again.",
                response_type="ephemeral",
            )
        return None

    return Bot(settings, engine, sessions, bank, app, rounds, inbox, clock, command_service)
