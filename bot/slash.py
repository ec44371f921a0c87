"""`/interview`: one table of sub-commands gathered from the features. Parsing, the rights
check, dispatch, the usage errors and `/interview help` all come from it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.calibration import ui as calibration_ui
from bot.channels import ui as channels_ui
from bot.privacy import ui as privacy_ui
from bot.progress import ui as progress_ui
from bot.questions import ui as questions_ui
from bot.questions.practice import closest
from bot.rounds import ui as rounds_ui
from bot.slack.commands import (
    BOT_RIGHTS,
    MANAGER_RIGHTS,
    Access,
    Handler,
    SubCommand,
    usage_message,
)
from bot.slack.mrkdwn import escape
from bot.slack.people import People, RoleUnknown, ask_one_of
from bot.slack.replies import Invocation, Reply

HELP_COMMAND = SubCommand("help", "", "this list", "Practice", 0, None)
TABLE: tuple[SubCommand, ...] = (
    HELP_COMMAND,
    *questions_ui.COMMANDS,
    *progress_ui.COMMANDS,
    *privacy_ui.COMMANDS,
    *rounds_ui.COMMANDS,
    *channels_ui.COMMANDS,
    *calibration_ui.COMMANDS,
)
BY_NAME: dict[str, SubCommand] = {command.name: command for command in TABLE}
SECTIONS = ("Practice", "Running the channel", "Calibration")
WHO = {
    Access.ANYONE: "",
    Access.ADMIN: " _(admins)_",
    Access.ADMIN_TO_CHANGE: " _(admins change it)_",
    Access.BOT_ADMIN: " _(bot admins)_",
    Access.BOT_ADMIN_TO_CHANGE: " _(bot admins change it)_",
    Access.MANAGER: " _(managers)_",
    Access.MANAGER_TO_CHANGE: " _(managers change it)_",
}
# (team id, channel id) -> True when the channel has no settings and no admins yet
Unclaimed = Callable[[str, str], bool]


@dataclass(frozen=True)
class Command:
    name: str
    args: tuple[str, ...]


@dataclass(frozen=True)
class Usage:
    """The text could not be understood; `message` says why and how to write it."""

    message: str


def parse_command(text: str, table: Mapping[str, SubCommand] = BY_NAME) -> Command | Usage:
    """Any text -> a Command with the right number of words, or a Usage message. Never raises.
    A name may be two words (`questions pending`): those are tried before the first word alone."""
    words = text.replace("\u00a0", " ").split()
    if not words:
        return Command("help", ())
    name, args = words[0].lower(), tuple(words[1:])
    if args and f"{name} {args[0].lower()}" in table:
        name, args = f"{name} {args[0].lower()}", args[1:]
    command = table.get(name)
    if command is None:
        guess = closest(name, [n for n in table if " " not in n])
        hint = f" Did you mean `/interview {guess}`?" if guess else ""
        shown = escape(name[:40]).replace("`", "'")
        return Usage(f"I don't know `{shown}`.{hint} `/interview help` lists what I can do.")
    if len(args) < command.least or (command.most is not None and len(args) > command.most):
        return Usage(usage_message(command))
    problem = command.check(args) if command.check else None
    return Command(name, args) if problem is None else Usage(problem or usage_message(command))


def help_text(table: Sequence[SubCommand] = TABLE) -> str:
    """`/interview help`, the Home tab's help and (checked by a test) the README's table."""
    lines = [
        "*Interview practice* — a daily interview question for this channel.",
        "• Answer in the question's thread; vote for the best answers with a reaction.",
        "• At the reveal time I post the sample answer and what the interviewer is looking for.",
    ]
    for section in SECTIONS:
        listed = [c for c in table if c.section == section and c is not HELP_COMMAND]
        if not listed:
            continue
        lines += ["", f"*{section}*"]
        lines += [f"`{c.usage}` — {c.summary}{WHO[c.access]}" for c in listed]
    lines += [
        "",
        "_Admins_: this channel's admins (whoever set it up, and whoever they added) and the "
        "bot's admins; `/interview admins` lists them. _Managers_: `/interview managers`.",
        "Example: `/interview schedule 09:30 Europe/Berlin weekdays reveal 16:00`",
    ]
    return "\n".join(lines)


class SlashCommands:
    """Dispatches `/interview` to the feature that owns the sub-command, after the rights check."""

    def __init__(
        self,
        handlers: Mapping[str, Handler],
        people: People,
        table: Sequence[SubCommand] = TABLE,
        unclaimed: Unclaimed = lambda _team_id, _channel_id: False,
    ) -> None:
        missing = {c.name for c in table} - set(handlers) - {"help"}
        if missing:
            raise ValueError(f"sub-commands without a handler: {sorted(missing)}")
        self.handlers = handlers
        self.people = people
        self.table = {c.name: c for c in table}
        self.help = help_text(table)
        self.unclaimed = unclaimed

    def run(self, inv: Invocation, now: datetime) -> Reply:
        parsed = parse_command(inv.text, self.table)
        if isinstance(parsed, Usage):
            return Reply(parsed.message)
        if parsed.name == "help":
            return Reply(self.help)
        command = self.table[parsed.name]
        try:
            if command.needs_rights(parsed.args) and not self._allowed(command, inv):
                return Reply(self._refusal(command, inv))
            return self.handlers[parsed.name](inv, list(parsed.args), now)
        except RoleUnknown as exc:  # Slack could not say whether they are an admin: say so
            return Reply(exc.message)

    def _allowed(self, command: SubCommand, inv: Invocation) -> bool:
        team_id, channel_id, user_id = inv.team_id, inv.channel_id, inv.user_id
        if command.access in MANAGER_RIGHTS:
            return self.people.is_manager(team_id, user_id)
        if command.access in BOT_RIGHTS:
            return self.people.is_admin(team_id, user_id)
        if command.sets_up and self.unclaimed(team_id, channel_id):
            return True  # the first to set a channel up becomes its admin
        return self.people.is_channel_admin(team_id, channel_id, user_id)

    def _refusal(self, command: SubCommand, inv: Invocation) -> str:
        """Who may, and who to ask: the channel's admins, else the bot's admins."""
        name = f"`/interview {command.name}`"
        bot_admins = self.people.bot_admins(inv.team_id)
        if command.access in MANAGER_RIGHTS:
            managers = self.people.managers_to_ask(inv.team_id)
            return f"Sorry, only hiring managers can use {name}. {ask_one_of(managers)}"
        if command.access in BOT_RIGHTS:
            return f"Sorry, only the bot's admins can use {name}. {ask_one_of(bot_admins)}"
        admins = self.people.channel_admins(inv.team_id, inv.channel_id)
        if admins:
            return f"Sorry, only this channel's admins can use {name}. {ask_one_of(admins, '')}"
        text = (
            f"Sorry, only this channel's admins can use {name}, and it has none yet, so the "
            f"bot's admins decide here. {ask_one_of(bot_admins)}"
        )
        if self.unclaimed(inv.team_id, inv.channel_id):
            text += (
                " Or set the daily question up here yourself with `/interview schedule 09:30`: "
                "whoever sets a channel up becomes its admin."
            )
        return text
