"""What `/interview forget-me` says: the confirmation with its two buttons, and the outcome.
Pure."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, ConfirmObject, SectionBlock

from bot.slack.blocks import Message, context, finish, md, plain
from bot.slack.mrkdwn import listing, plural
from storage.privacy import Forgotten, Stored

CONFIRM_BUTTON = "privacy_forget_confirm"
CANCEL_BUTTON = "privacy_forget_cancel"

NOTHING_DELETED = "Nothing was deleted."
EXPIRED = (
    "This confirmation has expired, so nothing was deleted. "
    "Type `/interview forget-me` again if you still want it."
)
IN_SLACK = (
    "Your messages in Slack itself stay where you wrote them: delete them in Slack if you want "
    "them gone too."
)


def _what(stored: Stored) -> str:
    parts = [
        plural(stored.answers + stored.blind_answers, "answer"),
        plural(stored.votes, "vote") + " you cast",
        plural(stored.scores, "calibration score") + " with their notes",
    ]
    if stored.evidence:
        parts.append(plural(stored.evidence, "calibration session") + " scoring your answer")
    return ", ".join(parts)


def _rights(stored: Stored) -> str:
    """The rights given to them in Slack that go too, and a channel that would be left with
    no admin of its own."""
    roles = []
    if stored.runs:
        roles.append("an admin of " + listing([f"<#{c}>" for c in stored.runs]))
    if stored.manager:
        roles.append("a hiring manager")
    if stored.installed:
        roles.append("one of the bot's admins (you installed it)")
    if not roles:
        return ""
    text = f"\nYou also stop being {listing(roles)}."
    if stored.alone_in:
        channels = listing([f"<#{c}>" for c in stored.alone_in])
        its = "its" if len(stored.alone_in) == 1 else "their"
        text += (
            f" You are the only admin of {channels}: afterwards only the bot's admins can change "
            f"{its} settings, so first add someone there with `/interview admins add @name`."
        )
    return text


def confirm_message(stored: Stored, issued_at: int) -> Message:
    """The question before anything is deleted; the buttons carry only when it was asked."""
    text = (
        "*Delete everything I stored about you in this workspace?*\n"
        f"That is {_what(stored)}, and your stats and place on the leaderboards. "
        f"Votes others gave your answers go too. This can't be undone.{_rights(stored)}"
    )
    blocks = [
        SectionBlock(text=md(text)),
        context(IN_SLACK),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="Delete everything",
                    action_id=CONFIRM_BUTTON,
                    value=str(issued_at),
                    style="danger",
                    confirm=ConfirmObject(
                        title=plain("Delete your data?"),
                        text=md("Your answers, votes, scores and notes go for good."),
                        confirm=plain("Delete"),
                        deny=plain("Keep it"),
                        style="danger",
                    ),
                ),
                ButtonElement(text="Cancel", action_id=CANCEL_BUTTON, value="cancel"),
            ]
        ),
    ]
    return finish("Delete everything I stored about you? (asks before anything is deleted)", blocks)


def done_text(forgotten: Forgotten) -> str:
    answers = forgotten.answers + forgotten.blind_answers
    return (
        "Done: I deleted "
        f"{plural(answers, 'answer')}, {plural(forgotten.votes_cast, 'vote')} you cast, "
        f"{plural(forgotten.votes_received, 'vote')} on your answers and "
        f"{plural(forgotten.scores, 'calibration score')}, and took your name off everything "
        f"else in this workspace. {IN_SLACK}"
    )
