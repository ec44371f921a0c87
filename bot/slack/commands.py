"""The shape of a `/interview` sub-command, so every feature declares its own in one table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.slack.replies import Invocation, Reply


class Access(StrEnum):
    """Who may run a sub-command (bot.slack.people says how rights resolve)."""

    ANYONE = "anyone"
    ADMIN = "admins"  # the channel's admins, and the bot's admins
    ADMIN_TO_CHANGE = "anyone sees; admins change"  # without arguments it only shows
    BOT_ADMIN = "bot admins"  # workspace-wide: the bot's admins only
    BOT_ADMIN_TO_CHANGE = "anyone sees; bot admins change"
    MANAGER = "managers"
    MANAGER_TO_CHANGE = "anyone sees; managers change"


CHANNEL_RIGHTS = (Access.ADMIN, Access.ADMIN_TO_CHANGE)
BOT_RIGHTS = (Access.BOT_ADMIN, Access.BOT_ADMIN_TO_CHANGE)
MANAGER_RIGHTS = (Access.MANAGER, Access.MANAGER_TO_CHANGE)


# checks the words after the name; returns a usage message, or None when they are fine
ArgsCheck = Callable[[tuple[str, ...]], str | None]
# what an ArgsCheck returns when the command's usage line, from the table, says it best
SHOW_USAGE = ""
Handler = Callable[[Invocation, list[str], datetime], Reply]


@dataclass(frozen=True)
class SubCommand:
    name: str
    args: str  # how to write the words after the name, e.g. "[category] [difficulty]"
    summary: str
    section: str  # the heading it is listed under in the help
    least: int = 0
    most: int | None = 0
    access: Access = Access.ANYONE
    check: ArgsCheck | None = None
    # Anyone may use it (with arguments) on a channel that has no settings and no admins yet,
    # and so becomes the channel's first admin: setting a channel up.
    sets_up: bool = False

    @property
    def usage(self) -> str:
        return f"/interview {self.name} {self.args}".rstrip()

    def needs_rights(self, args: tuple[str, ...] | list[str]) -> bool:
        return self.access in (Access.ADMIN, Access.BOT_ADMIN, Access.MANAGER) or (
            self.access
            in (Access.ADMIN_TO_CHANGE, Access.BOT_ADMIN_TO_CHANGE, Access.MANAGER_TO_CHANGE)
            and bool(args)
        )


def usage_message(command: SubCommand, problem: str = "") -> str:
    """ "Usage: `/interview …`" as the table writes it, after what was wrong if there is more
    to say: the one place a usage line is written."""
    return f"{problem} Usage: `{command.usage}`".lstrip()


def first_word(word: str) -> ArgsCheck:
    """The first word after the name must be `word` (any case), as in `questions mine`."""

    def check(args: tuple[str, ...]) -> str | None:
        return None if args and args[0].lower() == word else SHOW_USAGE

    return check


def choice(*words: str, example: str) -> ArgsCheck:
    """The first word, if given, must be one of `words` (any case)."""

    def check(args: tuple[str, ...]) -> str | None:
        if args and args[0].lower() not in words:
            listed = ", ".join(f"`{w}`" for w in words[:-1]) + f" or `{words[-1]}`"
            return f"Choose {listed}, e.g. `{example}`."
        return None

    return check
