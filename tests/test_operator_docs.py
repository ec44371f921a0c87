"""What an operator reads agrees with what the bot does: the README's scopes table lists exactly
the scopes the manifests and the OAuth flow ask for, the install recipes name the manifests that
exist, the changelog's latest version is the package's, and the licence says what it covers."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

import yaml

from bot.slack.clients import BOT_SCOPES
from tests.helpers import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def readme_scopes() -> list[str]:
    """The first column of the `| Scope | Why … |` table."""
    table = README[README.index("| Scope | Why") :].split("\n\n", 1)[0]
    return re.findall(r"^\| `([a-z:.]+)` \|", table, flags=re.MULTILINE)


def test_the_scopes_table_lists_exactly_what_the_bot_asks_for_each_with_a_reason() -> None:
    scopes = readme_scopes()
    assert len(scopes) == len(set(scopes))
    assert sorted(scopes) == sorted(BOT_SCOPES)
    for manifest in ("manifest.yml", "manifest.socket-mode.yml"):
        data = yaml.safe_load((ROOT / manifest).read_text(encoding="utf-8"))
        assert sorted(data["oauth_config"]["scopes"]["bot"]) == sorted(scopes), manifest


def test_the_install_recipes_come_socket_mode_first_with_their_own_manifests() -> None:
    socket_mode, http = README.index("### Socket Mode"), README.index("### HTTP behind HTTPS")
    assert socket_mode < http
    assert "manifest.socket-mode.yml" in README[socket_mode:http]
    assert "manifest.yml" in README[http : README.index("### Permissions")]
    for name in re.findall(r"\(([\w./-]+\.(?:yml|md))\)", README):
        assert (ROOT / name).exists(), name


def test_the_http_manifest_and_the_readme_agree_urls_are_set_after_the_bot_runs() -> None:
    comments = (ROOT / "manifest.yml").read_text(encoding="utf-8")
    assert "set AFTER the bot is running" in comments
    assert "set **after** the bot is running" in README


def package_version() -> str:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return str(project["version"])


def test_the_changelogs_latest_version_is_the_packages() -> None:
    version = package_version()
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    versions = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", changelog, re.MULTILINE)
    assert versions and versions[0] == version
    assert "## [Unreleased]" in changelog


def test_the_licence_is_mit_and_says_the_bank_texts_are_not_covered() -> None:
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License")
    assert "data/questions.yaml" in licence and "NOT covered" in licence
    seed = ROOT / "tests" / "fixtures" / "seed" / "backend-engineer-interview-questions.txt"
    assert seed.relative_to(ROOT).as_posix() in licence.replace("\n  ", "")


def test_the_bot_says_its_version() -> None:
    version = package_version()
    shown = subprocess.run(
        [sys.executable, "-m", "bot", "--version"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert shown.stdout.strip() == f"python -m bot {version}"
