"""The shape of a `/interview` sub-command, so every feature declares its own in one table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.slack.replies import Invocation, Reply


class Access(StrEnum):
    ANYONE = "anyone"
    ADMIN = "admins"
    ADMIN_TO_CHANGE = "anyone sees; admins change"  # without arguments it only shows
    MANAGER = "managers"


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

    @property
    def usage(self) -> str:
        return f"/interview {self.name} {self.args}".rstrip()

    def needs_rights(self, args: tuple[str, ...] | list[str]) -> bool:
        return self.access in (Access.ADMIN, Access.MANAGER) or (
            self.access == Access.ADMIN_TO_CHANGE and bool(args)
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
