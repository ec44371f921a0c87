"""Settings, read once from the environment at the entry point and passed down."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

SLACK_DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///interview.db"
MAX_RETENTION_DAYS = 36500  # a hundred years: longer is keeping them
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


class ConfigError(Exception):
    """Missing or malformed configuration; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    signing_secret: str
    bot_token: str | None = None
    app_token: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    database_url: str = DEFAULT_DATABASE_URL
    port: int = 3000
    questions_file: Path = Path("data/questions.yaml")
    admins: frozenset[str] = field(default_factory=frozenset)
    managers: frozenset[str] = field(default_factory=frozenset)  # calibration, besides admins
    slack_api_url: str = SLACK_DEFAULT_API_URL
    # answers older than this many days are deleted every day; None keeps them
    retention_days: int | None = None

    @property
    def oauth_enabled(self) -> bool:
        return bool(self.client_id and self.client_secret)

    @property
    def socket_mode(self) -> bool:
        return bool(self.app_token)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Validate the environment; raise ConfigError naming the first bad variable."""

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        client_id, client_secret = get("SLACK_CLIENT_ID"), get("SLACK_CLIENT_SECRET")
        oauth = bool(client_id or client_secret)
        if oauth:
            for name in ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"):
                if not get(name):
                    raise ConfigError(f"{name} is not set (needed for the OAuth install flow)")
        bot_token = get("SLACK_BOT_TOKEN")
        if not oauth and not bot_token:
            raise ConfigError("SLACK_BOT_TOKEN is not set (the bot token starts with xoxb-)")
        if bot_token and not bot_token.startswith("xoxb-"):
            raise ConfigError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
        app_token = get("SLACK_APP_TOKEN")
        if app_token and not app_token.startswith("xapp-"):
            raise ConfigError("SLACK_APP_TOKEN must be an app-level token starting with xapp-")
        signing_secret = get("SLACK_SIGNING_SECRET") or ""
        if not signing_secret and not app_token:  # Socket Mode requests are not signed
            raise ConfigError(
                "SLACK_SIGNING_SECRET is not set (Basic Information > App Credentials)"
            )

        port_text = get("PORT") or "3000"
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ConfigError(f"PORT must be a number between 1 and 65535, got {port_text!r}")

        return cls(
            signing_secret=signing_secret,
            bot_token=bot_token,
            app_token=app_token,
            client_id=client_id,
            client_secret=client_secret,
            database_url=_database_url(get("DATABASE_URL")),
            port=int(port_text),
            questions_file=Path(get("QUESTIONS_FILE") or "data/questions.yaml"),
            admins=_user_ids("INTERVIEW_ADMINS", get("INTERVIEW_ADMINS")),
            managers=_user_ids("INTERVIEW_MANAGERS", get("INTERVIEW_MANAGERS")),
            slack_api_url=_api_url(get("SLACK_API_URL")),
            retention_days=_retention_days(get("RETENTION_DAYS")),
        )


def _database_url(value: str | None) -> str:
    database_url = value or DEFAULT_DATABASE_URL
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgres://")
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    if not database_url.startswith(("sqlite:", "postgresql+psycopg:")):
        raise ConfigError(
            "DATABASE_URL must be sqlite:///path.db or postgresql+psycopg://user@host/db"
        )
    if database_url.startswith("sqlite:") and (
        database_url.rstrip("/") in ("sqlite:", "sqlite:") or ":memory:" in database_url
    ):
        raise ConfigError(
            "DATABASE_URL points at an in-memory SQLite database, which every connection sees "
            "empty; use a file such as sqlite:///interview.db"
        )
    return database_url


def _retention_days(value: str | None) -> int | None:
    if value is None:
        return None
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_RETENTION_DAYS:
        raise ConfigError(
            f"RETENTION_DAYS must be a whole number of days from 1 to {MAX_RETENTION_DAYS} "
            f"(or unset, to keep answers), got {value!r}"
        )
    return int(value)


def _api_url(value: str | None) -> str:
    api_url = value or SLACK_DEFAULT_API_URL
    parsed = urlparse(api_url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError(f"SLACK_API_URL must be an http(s) URL, got {api_url!r}")
    return api_url if api_url.endswith("/") else api_url + "/"  # WebClient joins method names


def _user_ids(name: str, value: str | None) -> frozenset[str]:
    ids = frozenset(a.strip() for a in (value or "").split(",") if a.strip())
    for user_id in ids:
        if not _USER_ID.match(user_id):
            raise ConfigError(
                f"{name} must be comma-separated Slack user ids like U0123ABCD, got {user_id!r}"
            )
    return ids
