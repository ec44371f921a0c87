"""The README's command table says what `/interview help` says: both come from one table."""

from __future__ import annotations

import re

from bot.slack.commands import Access
from bot.slash import TABLE, help_text
from tests.helpers import ROOT

README = ROOT / "README.md"
WHO = {
    Access.ANYONE: "anyone",
    Access.ADMIN: "admins",
    Access.ADMIN_TO_CHANGE: "anyone sees, admins change",
    Access.BOT_ADMIN: "bot admins",
    Access.BOT_ADMIN_TO_CHANGE: "anyone sees, bot admins change",
    Access.MANAGER: "managers",
    Access.MANAGER_TO_CHANGE: "anyone sees, managers change",
}


def readme_commands() -> dict[str, str]:
    """usage -> who, from the README's `| Command | Who | What |` table."""
    rows = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\| `(/interview [^`]*)` \| ([^|]+) \|", line.replace("\\|", "¦"))
        if match:
            rows[match.group(1).replace("¦", "|")] = match.group(2).strip()
    return rows


def test_the_readme_lists_every_sub_command_as_the_table_writes_it() -> None:
    assert readme_commands() == {c.usage: WHO[c.access] for c in TABLE}


def test_help_lists_every_sub_command_but_itself() -> None:
    text = help_text()
    for command in TABLE:
        assert (f"`{command.usage}`" in text) == (command.name != "help"), command.name
