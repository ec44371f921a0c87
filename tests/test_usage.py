"""Usage lines come from the one command table: whatever way a command is mistyped, the usage it
shows is the one `/interview help` lists, and the manifest's hint names only real sub-commands."""

from __future__ import annotations

import re

import pytest
import yaml

from bot.calibration.rubric import parse_calibrate, parse_report
from bot.calibration.ui import CALIBRATE, REPORT
from bot.slack.commands import SubCommand, usage_message
from bot.slash import TABLE, Usage, help_text, parse_command
from tests.helpers import ROOT

USAGES = {command.usage for command in TABLE}
WRONG = ["", "nonsense", "nonsense nonsense", " ".join(["x"] * 8), "report", "mine extra"]


def shown_usages(message: str) -> list[str]:
    return re.findall(r"Usage: `([^`]*)`", message)


@pytest.mark.parametrize("command", TABLE, ids=lambda c: c.name)
def test_a_mistyped_command_shows_the_usage_help_lists(command: SubCommand) -> None:
    name = command.name
    shown = []
    for words in WRONG:
        parsed = parse_command(f"{name} {words}".strip())
        if isinstance(parsed, Usage):
            shown += shown_usages(parsed.message)
    for usage in shown:
        assert usage in USAGES, usage
        assert f"`{usage}`" in help_text() or usage == "/interview help"


@pytest.mark.parametrize(
    "args",
    [["sql-vs-nosql", "specimen"], ["sql-vs-nosql", "later"], ["a", "b", "c"]],
)
def test_calibrate_shows_the_tables_usage(args: list[str]) -> None:
    message = parse_calibrate(args, usage_message(CALIBRATE))
    assert isinstance(message, str)
    assert shown_usages(message) == [CALIBRATE.usage]


@pytest.mark.parametrize("args", [["reports"], ["report", "yesterday"]])
def test_the_calibration_report_shows_the_tables_usage(args: list[str]) -> None:
    message = parse_report(args, usage_message(REPORT))
    assert isinstance(message, str)
    assert shown_usages(message) == [REPORT.usage]


def test_the_manifests_usage_hint_names_only_real_sub_commands() -> None:
    names = {command.name.split()[0] for command in TABLE}
    for manifest in ("manifest.yml", "manifest.socket-mode.yml"):
        data = yaml.safe_load((ROOT / manifest).read_text(encoding="utf-8"))
        [command] = data["features"]["slash_commands"]
        hinted = [part.split()[0] for part in command["usage_hint"].split("|")]
        assert set(hinted) <= names, (manifest, set(hinted) - names)
