"""Who is asking: Slack's answer about a person is remembered briefly, per workspace and
bounded; a failed lookup is never remembered and never passes for "not an admin"; the installer
and INTERVIEW_ADMINS need no lookup at all."""

from __future__ import annotations

import pytest

from bot.sandbox.fake_slack import FakeSlack
from bot.slack.people import PERSON_TTL, People, RoleUnknown
from tests.helpers import ADMIN, ALICE, BOB, CAROL, LEAD, TEAM, client_for


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def lookups(fake: FakeSlack, user: str | None = None) -> int:
    return len([c for c in fake.calls("users.info") if user is None or c.args["user"] == user])


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def people(fake: FakeSlack, clock: Clock) -> People:
    return People(client_for(fake), frozenset({LEAD}), clock=clock)


def test_a_burst_of_checks_asks_slack_once_until_the_answer_is_five_minutes_old(
    fake: FakeSlack, people: People, clock: Clock
) -> None:
    assert people.is_admin(TEAM, ADMIN)
    assert not people.is_admin(TEAM, ALICE)
    for _ in range(5):
        assert people.is_admin(TEAM, ADMIN) and not people.is_admin(TEAM, ALICE)
    assert lookups(fake) == 2

    clock.now += PERSON_TTL - 1
    people.is_admin(TEAM, ADMIN)
    assert lookups(fake) == 2
    clock.now += 2  # a role changed in Slack counts within five minutes
    people.is_admin(TEAM, ADMIN)
    assert lookups(fake, ADMIN) == 2


def test_each_workspace_asks_about_its_own_people(fake: FakeSlack, people: People) -> None:
    people.is_admin(TEAM, ADMIN)
    people.is_admin("T0OTHER", ADMIN)

    assert lookups(fake, ADMIN) == 2


def test_the_cache_is_bounded_the_longest_unused_go_first(fake: FakeSlack, clock: Clock) -> None:
    people = People(client_for(fake), frozenset(), clock=clock, size=2)
    for user in (ADMIN, ALICE, BOB):
        people.person(TEAM, user)
    people.person(TEAM, BOB)
    people.person(TEAM, ADMIN)  # gone to make room: asked again

    assert lookups(fake) == 4


def test_a_failed_lookup_is_said_not_remembered_and_not_a_refusal(
    fake: FakeSlack, people: People
) -> None:
    fake.fail_next("users.info", "internal_error")

    with pytest.raises(RoleUnknown) as failed:
        people.is_admin(TEAM, ADMIN)
    assert "couldn't check your Slack role" in failed.value.message
    assert "internal_error" in failed.value.message
    assert people.is_admin(TEAM, ADMIN)  # asked again, and Slack answered
    assert lookups(fake, ADMIN) == 2


def test_someone_slack_does_not_know_is_no_admin_rather_than_unknown(people: People) -> None:
    assert not people.is_admin(TEAM, "UNOBODY")


def test_interview_admins_and_the_installer_need_no_lookup(fake: FakeSlack) -> None:
    people = People(client_for(fake), frozenset({LEAD}), installers=lambda team: (CAROL,))
    fake.fail_next("users.info", "internal_error")

    assert people.is_admin(TEAM, LEAD) and people.is_admin(TEAM, CAROL)
    assert people.bot_admins(TEAM) == [CAROL, LEAD]
    assert lookups(fake) == 0


def test_a_manager_listed_by_the_operator_needs_no_lookup_and_admins_manage(
    fake: FakeSlack,
) -> None:
    people = People(client_for(fake), frozenset({LEAD}), frozenset({BOB}))

    assert people.is_manager(TEAM, BOB) and people.is_manager(TEAM, LEAD)
    assert lookups(fake) == 0
    assert people.is_manager(TEAM, ADMIN) and not people.is_manager(TEAM, ALICE)
