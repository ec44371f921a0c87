"""`/interview snooze` and `/interview pings`: a person's own settings, per workspace."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.progress.snooze import USAGE, SnoozeFor, Wake, parse_snooze
from storage import people_prefs
from tests.helpers import ALICE, BOB, NOW, TEAM, UIs, invocation


def say(uis: UIs, user: str, text: str, days_later: float = 0) -> str:
    return uis.slash.run(invocation(user, text), NOW + timedelta(days=days_later)).text


@pytest.mark.parametrize(
    ("word", "days"), [("3d", 3), ("1w", 7), ("2W", 14), ("30d", 30), ("4w", 28)]
)
def test_snooze_lengths(word: str, days: int) -> None:
    assert parse_snooze(word) == SnoozeFor(timedelta(days=days))


@pytest.mark.parametrize("word", ["0d", "31d", "5w", "1m", "week", "-1d", "1.5d", ""])
def test_snooze_lengths_that_are_refused(word: str) -> None:
    assert parse_snooze(word) is None


def test_snooze_off_is_a_wake_up() -> None:
    assert parse_snooze("OFF") == Wake()


def test_snooze_shows_starts_and_ends_a_break(uis: UIs) -> None:
    assert say(uis, ALICE, "snooze").startswith("You're not snoozed.")
    assert say(uis, ALICE, "snooze soon") == USAGE

    reply = say(uis, ALICE, "snooze 1w")
    assert reply.startswith("Snoozed until <!date^")
    assert "Mon 10 Mar 08:00 Europe/Berlin" in reply  # in Alice's own zone
    assert say(uis, ALICE, "snooze", days_later=6).startswith("You're snoozed until")
    assert say(uis, BOB, "snooze").startswith("You're not snoozed.")  # hers alone
    assert say(uis, ALICE, "snooze", days_later=7).startswith("You're not snoozed.")

    say(uis, ALICE, "snooze 3d", days_later=8)
    assert say(uis, ALICE, "snooze off", days_later=9).startswith("Welcome back")
    assert say(uis, ALICE, "snooze off", days_later=9) == "You weren't snoozed."
    with uis.progress.progress.sessions.begin() as session:
        periods = [(s.starts_at, s.ends_at) for s in people_prefs.snoozes_of(session, TEAM, ALICE)]
    # both periods are kept (the streak stays frozen over them), the second one ended early
    assert periods == [
        (NOW, NOW + timedelta(days=7)),
        (NOW + timedelta(days=8), NOW + timedelta(days=9)),
    ]


def test_a_new_snooze_replaces_the_running_one(uis: UIs) -> None:
    say(uis, ALICE, "snooze 2w")
    say(uis, ALICE, "snooze 3d", days_later=1)
    with uis.progress.progress.sessions.begin() as session:
        current = people_prefs.active_snooze(session, TEAM, ALICE, NOW + timedelta(days=2))
        assert current is not None and current.ends_at == NOW + timedelta(days=4)
        assert people_prefs.active_snooze(session, TEAM, ALICE, NOW + timedelta(days=5)) is None


def test_reveal_pings_are_off_until_asked_for(uis: UIs) -> None:
    assert say(uis, ALICE, "pings").startswith("Reveal pings are off")
    assert say(uis, ALICE, "pings on").startswith("Reveal pings are on")
    assert say(uis, ALICE, "pings").startswith("Reveal pings are on")
    assert say(uis, BOB, "pings").startswith("Reveal pings are off")
    assert say(uis, ALICE, "pings maybe") == "Choose `on` or `off`, e.g. `/interview pings on`."
    assert say(uis, ALICE, "pings off").startswith("Reveal pings are off")
    with uis.progress.progress.sessions.begin() as session:
        assert people_prefs.reveal_pings_among(session, TEAM, [ALICE, BOB]) == set()


def test_forgetting_a_person_deletes_their_settings(uis: UIs) -> None:
    say(uis, ALICE, "pings on")
    say(uis, ALICE, "snooze 1w")
    say(uis, BOB, "pings on")
    with uis.progress.progress.sessions.begin() as session:
        assert people_prefs.forget_person(session, TEAM, ALICE) == 2
        assert people_prefs.reveal_pings_among(session, TEAM, [ALICE, BOB]) == {BOB}
        assert people_prefs.snoozes_of(session, TEAM, ALICE) == []
