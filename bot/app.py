"""Builds the bot: database, question bank, Slack client, services, and the Bolt app."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from slack_bolt import App, BoltResponse
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.channels import ChannelService
from bot.clock import Clock
from bot.commands import CommandService
from bot.config import Settings
from bot.inbox import Inbox
from bot.interactions import InteractionService
from bot.library import QuestionLibrary
from bot.progress import ProgressService
from bot.questions import QuestionBank
from bot.rounds import RoundService
from handlers import actions, commands, events, home, request_log, views
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


# Keep in step with manifest.yml (a test checks they match).
BOT_SCOPES = (
    "commands",
    "chat:write",
    "channels:history",
    "groups:history",
    "reactions:read",
    "users:read",
    "channels:read",
    "groups:read",
)


class WorkspaceClients:
    """A Web API client per workspace, with the bot token saved when that workspace installed."""

    def __init__(self, settings: Settings, store: SQLAlchemyInstallationStore) -> None:
        self.settings = settings
        self.store = store
        self._clients: dict[str, WebClient] = {}
        self._lock = threading.Lock()

    def __call__(self, team_id: str) -> WebClient:
        bot = self.store.find_bot(enterprise_id=None, team_id=team_id)
        if bot is None or not bot.bot_token:
            raise LookupError(f"workspace {team_id} has not installed the app")
        with self._lock:
            client = self._clients.get(bot.bot_token)
            if client is None:
                client = self._clients[bot.bot_token] = make_client(self.settings, bot.bot_token)
            return client


def _bolt_app(settings: Settings, engine: Engine) -> tuple[App, Callable[[str], WebClient]]:
    """Single-workspace (a bot token) or multi-workspace (Slack's OAuth install flow)."""
    logger = logging.getLogger("bot.bolt")
    if not settings.oauth_enabled:
        client = make_client(settings, settings.bot_token)
        app = App(
            signing_secret=settings.signing_secret,
            client=client,
            process_before_response=False,
            logger=logger,
        )
        return app, lambda _team_id: client
    store = SQLAlchemyInstallationStore(client_id=settings.client_id, engine=engine, logger=logger)
    oauth = OAuthSettings(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        scopes=list(BOT_SCOPES),
        installation_store=store,
        state_store=SQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine, logger=logger),
        install_path="/slack/install",
        redirect_uri_path="/slack/oauth_redirect",
    )
    app = App(
        signing_secret=settings.signing_secret,
        client=make_client(settings, None),
        installation_store=store,
        oauth_settings=oauth,
        process_before_response=False,
        logger=logger,
    )
    return app, WorkspaceClients(settings, store)


def build_bot(settings: Settings, now: Now = lambda: datetime.now(UTC)) -> Bot:
    engine, sessions = open_database(settings)
    bank = QuestionBank.load(settings.questions_file)
    app, client_for = _bolt_app(settings, engine)

    library = QuestionLibrary(sessions, bank)
    rounds = RoundService(sessions, library, client_for)
    inbox = Inbox(sessions, now)
    channels = ChannelService(sessions)
    progress = ProgressService(sessions, library, channels, client_for)
    command_service = CommandService(
        rounds, channels, library, progress, client_for, settings.admins
    )
    interactions = InteractionService(command_service)
    clock = Clock(sessions, rounds, inbox, now)

    request_log.register(app)  # first, so even a rejected retry is logged with its ids
    commands.register(app, command_service, now)
    events.register(app, inbox)
    actions.register(app, interactions, now)
    views.register(app, interactions, now)
    home.register(app, interactions, now)

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
