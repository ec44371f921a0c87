"""Configuration: clear one-line errors naming the variable; sane defaults."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings
from tests.helpers import ROOT

GOOD = {"SLACK_BOT_TOKEN": "xoxb-1-2-3", "SLACK_SIGNING_SECRET": "s3cr3t"}


def test_defaults() -> None:
    settings = Settings.from_env(GOOD)
    assert settings.port == 3000
    assert settings.database_url == "sqlite:///interview.db"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.questions_file == Path("data/questions.yaml")
    assert not settings.oauth_enabled and not settings.socket_mode


def test_values_are_normalised() -> None:
    settings = Settings.from_env(
        {
            **GOOD,
            "SLACK_API_URL": "http://127.0.0.1:9999/api",
            "DATABASE_URL": "postgres://u@h/db",
            "INTERVIEW_ADMINS": " U01ABC, W02DEF ,",
            "PORT": "8080",
        }
    )
    assert settings.slack_api_url == "http://127.0.0.1:9999/api/"
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.admins == {"U01ABC", "W02DEF"}
    assert settings.port == 8080


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxp-user-token", "SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        ({**GOOD, "PORT": "eighty"}, "PORT"),
        ({**GOOD, "PORT": "70000"}, "PORT"),
        ({**GOOD, "DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({**GOOD, "SLACK_API_URL": "slack.com/api"}, "SLACK_API_URL"),
        ({**GOOD, "INTERVIEW_ADMINS": "alice,bob"}, "INTERVIEW_ADMINS"),
        ({**GOOD, "SLACK_APP_TOKEN": "xoxb-wrong"}, "SLACK_APP_TOKEN"),
        ({**GOOD, "SLACK_CLIENT_ID": "123.456"}, "SLACK_CLIENT_SECRET"),
    ],
)
def test_bad_configuration_names_the_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        Settings.from_env(env)


def test_socket_mode_needs_no_signing_secret() -> None:
    settings = Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1-A-1-x"})
    assert settings.socket_mode


def run_bot(
    env: dict[str, str], tmp_path: Path, command: str = "web"
) -> subprocess.CompletedProcess[str]:
    base = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(ROOT),
        "DOTENV_PATH": str(tmp_path / "x"),
        "SQLITE_SHARED": "1",
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", command],
        cwd=tmp_path,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_start_up_stops_with_one_line_not_a_traceback(tmp_path: Path) -> None:
    result = run_bot({"SLACK_BOT_TOKEN": "xoxb-1-2"}, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "configuration error: SLACK_SIGNING_SECRET is not set (Basic Information > App Credentials)"
    ]


def test_invalid_question_bank_stops_start_up_naming_file_and_entry(tmp_path: Path) -> None:
    bank = tmp_path / "bank.yaml"
    bank.write_text(
        "questions:\n"
        "  - id: one\n    category: system-design\n    question: Q?\n    rationale: R\n"
        "  - id: one\n    category: system-design\n    question: Q?\n    rationale: R\n"
        "    sample_answer: S\n"
    )
    env = {**GOOD, "QUESTIONS_FILE": str(bank), "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    result = run_bot(env, tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "bank.yaml" in result.stderr
    assert "sample_answer" in result.stderr and "duplicate" in result.stderr.lower()


@pytest.mark.parametrize("command", ["web", "clock"])
def test_web_or_clock_alone_on_a_sqlite_file_is_refused_in_one_line(
    tmp_path: Path, command: str
) -> None:
    env = {**GOOD, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "SQLITE_SHARED": ""}
    result = run_bot(env, tmp_path, command)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "PostgreSQL" in line and "SQLITE_SHARED=1" in line


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_database_is_refused(url: str) -> None:
    with pytest.raises(ConfigError, match="in-memory"):
        Settings.from_env({**GOOD, "DATABASE_URL": url})
