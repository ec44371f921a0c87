"""Builds the bot: database, question bank, Slack client, services, and the Bolt app."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.oauth.oauth_settings import OAuthSettings
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from bot.calibration.reports import CalibrationReports
from bot.calibration.sessions import CalibrationService
from bot.calibration.ui import CalibrationUI
from bot.channels.admins import Admins
from bot.channels.service import ChannelService
from bot.channels.ui import ChannelsUI
from bot.clock import Clock
from bot.config import Settings
from bot.privacy.service import PrivacyService
from bot.privacy.ui import PrivacyUI
from bot.progress.service import ProgressService
from bot.progress.ui import ProgressUI
from bot.questions.bank import QuestionBank
from bot.questions.library import QuestionLibrary
from bot.questions.ui import QuestionsUI
from bot.rounds.blind import BlindAnswers
from bot.rounds.inbox import Inbox
from bot.rounds.service import RoundService
from bot.rounds.ui import RoundsUI
from bot.slack.channels import ChannelDirectory
from bot.slack.clients import BOT_SCOPES, make_client
from bot.slack.errors import refusal
from bot.slack.installs import Installations, SingleWorkspace, WorkspaceClients
from bot.slack.people import People, RoleUnknown
from bot.slash import SlashCommands, help_text
from handlers import Features, events, installs, register_all
from storage.db import is_up_to_date, make_engine, make_session_factory, migrate

__all__ = ["BOT_SCOPES", "Bot", "build_bot", "open_database"]

log = logging.getLogger(__name__)

Now = Callable[[], datetime]


class DatabaseNotMigrated(Exception):
    pass


def open_database(settings: Settings) -> tuple[Engine, sessionmaker[Session]]:
    """Connect; an SQLite database is migrated on start, PostgreSQL must be migrated already
    (the Procfile's release phase), so several web processes never race on a migration."""
    engine = make_engine(settings.database_url)
    if engine.dialect.name == "sqlite":
        if not is_up_to_date(engine):
            migrate(engine)
    elif not is_up_to_date(engine):
        raise DatabaseNotMigrated(
            "the database schema is not up to date: run `python -m bot migrate` first"
        )
    return engine, make_session_factory(engine)


@dataclass
class Bot:
    """What the entry points need: the app to serve, the clock to run, the engine to close."""

    engine: Engine
    sessions: sessionmaker[Session]
    bank: QuestionBank
    app: App
    inbox: Inbox
    clock: Clock
    # An Events API delivery's HTTP status once the inbox has it; None: Bolt handles it.
    store_event: Callable[[dict[str, Any]], int | None]


def _bolt_app(settings: Settings, engine: Engine) -> tuple[App, Installations]:
    """Single-workspace (a bot token) or multi-workspace (Slack's OAuth install flow, Enterprise
    Grid workspaces and org-wide installs too); the second is each workspace's client."""
    logger = logging.getLogger("bot.bolt")
    if not settings.oauth_enabled:
        client = make_client(settings, settings.bot_token)
        app = App(
            signing_secret=settings.signing_secret,
            client=client,
            process_before_response=False,
            logger=logger,
            listener_executor=_listener_threads(),
        )
        if not settings.admins:
            # A bot run with a token doesn't know who installed it, so nobody is named as
            # its admin: say so once, where the operator looks.
            logger.warning(
                "INTERVIEW_ADMINS is empty: only Slack's workspace admins and owners are the "
                "bot's admins (each channel still has its own); put your member id there to "
                "run every channel and review the team's questions"
            )
        return app, SingleWorkspace(client)
    assert settings.client_id and settings.client_secret  # oauth_enabled says both are set
    # Imported here: these stores pull in sqlalchemy.ext.asyncio, a second of start-up that a
    # single-workspace bot never needs.
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

    store = SQLAlchemyInstallationStore(client_id=settings.client_id, engine=engine, logger=logger)
    oauth = OAuthSettings(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        scopes=list(BOT_SCOPES),
        installation_store=store,
        state_store=SQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine, logger=logger),
        install_path="/slack/install",
        redirect_uri_path="/slack/oauth_redirect",
        callback_options=installs.CALLBACK_OPTIONS,  # the success page says what to do next
    )
    app = App(
        signing_secret=settings.signing_secret,
        client=make_client(settings, None),
        installation_store=store,
        oauth_settings=oauth,
        process_before_response=False,
        logger=logger,
        listener_executor=_listener_threads(),
    )
    return app, WorkspaceClients(settings, store)


# Listeners call ack() on these threads: a listener that waits for an unreachable database (2 s
# per connection attempt) holds one, and with Bolt's default of 5 the sixth command in a busy
# second is acknowledged too late for Slack's 3 s.
LISTENER_THREADS = 32


def _listener_threads() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="listener")


def build_bot(settings: Settings, now: Now = lambda: datetime.now(UTC)) -> Bot:
    """The one composition root: settings -> database -> clients -> services -> UIs -> Bolt."""
    engine, sessions = open_database(settings)
    bank = QuestionBank.load(settings.questions_file)
    app, client_for = _bolt_app(settings, engine)
    people = People(
        client_for,
        settings.admins,
        settings.managers,
        sessions=sessions,
        installers=client_for.installers,
    )

    library = QuestionLibrary(sessions, bank)
    rounds = RoundService(sessions, library, client_for)
    inbox = Inbox(sessions, now, writer=True)
    channels = ChannelService(sessions)
    directory = ChannelDirectory(client_for)
    progress = ProgressService(sessions, library, channels, client_for, directory)
    calibration = CalibrationService(sessions, library, client_for)

    questions_ui = QuestionsUI(library, client_for, people)
    admins = Admins(sessions)
    channels_ui = ChannelsUI(channels, library, client_for, people, admins, directory)
    rounds_ui = RoundsUI(rounds, BlindAnswers(sessions, client_for), library, client_for, people)
    progress_ui = ProgressUI(progress, client_for, people, help_text=help_text())
    calibration_ui = CalibrationUI(
        calibration, CalibrationReports(sessions), library, client_for, people
    )
    privacy_ui = PrivacyUI(PrivacyService(sessions))
    uis = (questions_ui, channels_ui, rounds_ui, progress_ui, calibration_ui, privacy_ui)
    slash = SlashCommands(
        {name: run for ui in uis for name, run in ui.handlers().items()},
        people,
        unclaimed=admins.is_unclaimed,
    )
    features = Features(
        slash,
        questions_ui,
        channels_ui,
        rounds_ui,
        progress_ui,
        calibration_ui,
        inbox,
        privacy=privacy_ui,
        installs=client_for,
    )
    register_all(app, features, now)
    _register_error_handler(app)
    clock = Clock(sessions, rounds, inbox, now, calibration)
    return Bot(engine, sessions, bank, app, inbox, clock, partial(events.store_delivery, inbox))


def _register_error_handler(app: App) -> None:
    @app.error
    def on_error(
        error: Exception,
        body: dict,
        response: BoltResponse | None = None,
        respond: Callable[..., object] | None = None,
    ) -> BoltResponse | None:
        unreachable = isinstance(error, DBAPIError | PoolTimeout)  # the database, not a bug
        if isinstance(error, RoleUnknown):  # users.info failed: logged where it happened
            if body.get("response_url") and respond is not None:
                respond(text=error.message, response_type="ephemeral")
            if response is None:
                raise AckAlreadySent from error
            return None
        if unreachable:
            cause = getattr(error, "orig", None) or error
            log.warning(
                "listener failed: database unavailable",
                extra={"type": body.get("type"), "error": (str(cause).splitlines() or [""])[0]},
            )
        else:
            log.exception("listener failed", exc_info=error, extra={"type": body.get("type")})
        if body.get("response_url") and respond is not None:
            text = DATABASE_APOLOGY if unreachable else (refusal(error) or APOLOGY)
            respond(text=text, response_type="ephemeral")
        if response is None:
            # The listener failed after its ack() (Bolt passes no response then). Right after
            # this handler returns, Bolt 1.30 resets that ack (`ack.response = None`): a listener
            # that fails within ~10 ms of its ack (a refused database connection) has Slack get
            # a 404 after 3 s instead of the ack. Raising skips the reset; the exception ends the
            # listener's pool thread quietly, and everything worth saying was said above.
            raise AckAlreadySent from error
        return None


class AckAlreadySent(Exception):
    """Raised by the error handler so that Bolt keeps the ack a failed listener already gave."""


APOLOGY = "Sorry, something went wrong on my side. It has been logged; please try again."
DATABASE_APOLOGY = "Sorry, I can't reach my database right now. Please try again in a few minutes."
