"""ProgressUI in-process: `/interview stats` for oneself and for a mentioned teammate, and
`/interview leaderboard`, posted in the channel without pinging anyone (or shown privately)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.progress import render
from tests.helpers import (
    ADMIN,
    ALICE,
    BOB,
    CAROL,
    CHANNEL,
    NOW,
    OUTSIDE,
    UIs,
    answer_in_thread,
    invocation,
    top_level,
    vote,
)

LATER = NOW + timedelta(minutes=30)


def ts(minutes: int) -> str:
    """A Slack ts `minutes` after NOW (answers are written before the reveal)."""
    return f"{NOW.timestamp() + minutes * 60:.6f}"


def played_round(uis: UIs) -> None:
    """Today's round: Alice and Bob answer, Carol votes for Alice's answer, then the reveal."""
    uis.rounds.now(invocation(ADMIN, "now"), ["databases", "senior"], NOW)
    (question,) = top_level(uis.fake)
    answer_in_thread(uis, question["ts"], ALICE, "Expand, migrate, contract.", ts(1))
    answer_in_thread(uis, question["ts"], BOB, "Take a maintenance window.", ts(2))
    vote(uis, CAROL, ALICE, ts(1))
    assert uis.rounds.reveal(invocation(ADMIN), [], LATER).text == "Revealed. 2 answered."


# -- /interview stats --------------------------------------------------------------------------


def test_stats_before_any_round_show_zeros(uis: UIs) -> None:
    reply = uis.progress.stats(invocation(ALICE, "stats"), [], NOW)

    assert reply.text == (
        "*Progress of <@UALICE> in this channel*\n"
        "• Rounds answered: *0*\n"
        "• Answer rate, last 30 days: *no daily rounds yet*\n"
        "• Streak: *0* (best 0)\n"
        "• Votes received: *0*\n"
        "• Most practised: none yet\n" + render.STREAK_RULE
    )
    assert not reply.public


def test_stats_for_oneself_count_answers_votes_and_categories(uis: UIs) -> None:
    played_round(uis)

    reply = uis.progress.stats(invocation(ALICE, "stats"), [], LATER)

    assert reply.text == (
        "*Progress of <@UALICE> in this channel*\n"
        "• Rounds answered: *1*\n"
        "• Answer rate, last 30 days: *100%*\n"
        "• Streak: *1* (best 1)\n"
        "• Votes received: *1*\n"
        "• Most practised: Databases (1)\n" + render.STREAK_RULE
    )


@pytest.mark.parametrize("mention", ["<@UALICE>", "<@UALICE|alice>"])
def test_stats_for_a_mentioned_teammate_are_theirs(uis: UIs, mention: str) -> None:
    played_round(uis)

    reply = uis.progress.stats(invocation(BOB, f"stats {mention}"), [mention], LATER)

    assert reply.text.startswith("*Progress of <@UALICE> in this channel*\n")
    assert "• Votes received: *1*" in reply.text


def test_stats_of_someone_who_only_voted_show_no_rounds_answered(uis: UIs) -> None:
    played_round(uis)

    reply = uis.progress.stats(invocation(CAROL, "stats"), [], LATER)

    assert "• Rounds answered: *0*" in reply.text
    assert "• Answer rate, last 30 days: *0%*" in reply.text


def test_stats_are_per_channel(uis: UIs) -> None:
    played_round(uis)

    reply = uis.progress.stats(invocation(ALICE, "stats", channel=OUTSIDE), [], LATER)

    assert "• Rounds answered: *0*" in reply.text


# -- /interview leaderboard --------------------------------------------------------------------


def test_leaderboard_is_posted_as_a_placeholder_then_edited_so_nobody_is_pinged(
    uis: UIs,
) -> None:
    played_round(uis)
    before = len(top_level(uis.fake))

    reply = uis.progress.leaderboard(invocation(BOB, "leaderboard"), [], LATER)

    assert reply.text == ""  # nothing private: the channel has it
    (posted,) = [c for c in uis.fake.calls("chat.postMessage") if "eaderboard" in c.args["text"]]
    assert posted.args["text"] == "Leaderboard…"
    assert "<@" not in posted.args["text"]
    assert posted.response is not None
    placeholder_ts = posted.response["ts"]
    (edit,) = [c for c in uis.fake.calls("chat.update") if c.args["ts"] == placeholder_ts]
    assert edit.args["text"] == (
        f"*Leaderboard, the last 7 days* · {render.LEADERBOARD_RULES}\n"
        ":first_place_medal: <@UALICE> — *2* (1 round, 1 vote)\n"
        ":second_place_medal: <@UBOB> — *1* (1 round, 0 votes)"
    )
    assert len(top_level(uis.fake)) == before + 1
    assert top_level(uis.fake)[-1]["text"] == edit.args["text"]


@pytest.mark.parametrize(
    ("period", "label"),
    [("week", "the last 7 days"), ("MONTH", "the last 30 days"), ("all", "all time")],
)
def test_leaderboard_of_an_empty_channel_invites_the_first_answer(
    uis: UIs, period: str, label: str
) -> None:
    uis.progress.leaderboard(invocation(BOB, f"leaderboard {period}"), [period], NOW)

    assert top_level(uis.fake)[-1]["text"] == (
        f"*Leaderboard, {label}*\nNobody has answered yet. Be the first!"
    )


def test_leaderboard_of_last_week_leaves_out_older_rounds(uis: UIs) -> None:
    played_round(uis)

    uis.progress.leaderboard(invocation(BOB), ["week"], NOW + timedelta(days=8))
    uis.progress.leaderboard(invocation(BOB), ["month"], NOW + timedelta(days=8))

    week, month = (m["text"] for m in top_level(uis.fake)[-2:])
    assert week.endswith("Nobody has answered yet. Be the first!")
    assert "<@UALICE> — *2*" in month


def test_leaderboard_is_shown_privately_where_the_bot_cannot_post(uis: UIs) -> None:
    reply = uis.progress.leaderboard(invocation(BOB, "leaderboard", channel=OUTSIDE), [], NOW)

    assert reply.text == "*Leaderboard, the last 7 days*\nNobody has answered yet. Be the first!"
    assert not reply.public
    assert uis.fake.messages(OUTSIDE) == []


def test_leaderboard_is_shown_privately_when_slack_refuses_the_post(uis: UIs) -> None:
    played_round(uis)
    uis.fake.fail_next("chat.postMessage", "channel_not_found")

    reply = uis.progress.leaderboard(invocation(BOB, "leaderboard"), [], LATER)

    assert reply.text.startswith("*Leaderboard, the last 7 days*")
    assert ":first_place_medal: <@UALICE>" in reply.text
    assert not any("Leaderboard" in m["text"] for m in uis.fake.messages(CHANNEL))


def test_leaderboard_leaves_no_placeholder_when_slack_refuses_the_edit(uis: UIs) -> None:
    uis.fake.fail_next("chat.update", "internal_error")

    reply = uis.progress.leaderboard(invocation(BOB, "leaderboard"), [], NOW)

    assert reply.text.startswith("*Leaderboard, the last 7 days*")
    assert [m["text"] for m in uis.fake.messages(CHANNEL)] == []


# -- the App Home tab --------------------------------------------------------------------------


def test_home_tab_shows_a_persons_progress_per_channel_and_the_help(uis: UIs) -> None:
    uis.channels.schedule(invocation(ADMIN), ["09:30"], NOW)
    played_round(uis)

    uis.progress.publish_home("T0TEAM", ALICE, LATER)

    view = uis.fake.home_view(ALICE)
    assert view is not None
    text = str(view["blocks"])
    assert "<#CPRACTICE> · every weekday at 09:30 (Europe/Berlin), reveal after 6h" in text
    assert "you answered 1 round · streak 1 (best 1) · 1 vote received" in text
    assert "Edit schedule" not in text
    assert "/interview leaderboard [week|month|all]" in text


def test_home_tab_offers_admins_the_schedule_editor(uis: UIs) -> None:
    uis.channels.schedule(invocation(ADMIN), ["09:30"], NOW)

    uis.progress.publish_home("T0TEAM", ADMIN, NOW)

    view = uis.fake.home_view(ADMIN)
    assert view is not None
    assert "Edit schedule" in str(view["blocks"])
