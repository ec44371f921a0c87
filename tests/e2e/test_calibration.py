"""Interviewer calibration end to end: a panel of five scores one specimen blind, one changes
their score, one opens the form twice, one is late; a non-manager can't close it; the reveal,
the managers' named detail, each rater's private result and the report across sessions."""

from __future__ import annotations

import json
from functools import partial
from itertools import combinations
from typing import Any

from bot.calibration import render as calibration_render
from bot.sandbox.driver import SlackDriver
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.process import ADMIN, ALICE, BOB, CAROL, CHANNEL, DAVE, LEAD, BotProcess
from tests.helpers import (
    button_value,
    click,
    click_and_wait,
    click_for_modal,
    eventually,
    in_thread,
    modal_opened_since,
    open_home,
    run,
    submitted,
    text_inputs,
    top_level,
)

QUESTION = "sql-vs-nosql"


def open_score_form(
    slack: SlackDriver, fake: FakeSlack, session_id: str, user: str
) -> dict[str, Any]:
    return click_for_modal(slack, fake, calibration_render.SCORE_BUTTON, session_id, user=user)


def submit_score(
    slack: SlackDriver, view: dict[str, Any], user: str, score: int, note: str
) -> dict[str, Any]:
    state = {
        calibration_render.SCORE_INPUT: {
            calibration_render.SCORE_INPUT: {
                "type": "radio_buttons",
                "selected_option": {"value": str(score)},
            }
        },
        **text_inputs({calibration_render.NOTE_INPUT: note}),
    }
    return submitted(slack, view, state, user=user)


def cards(fake: FakeSlack) -> list[dict[str, Any]]:
    return [
        m
        for m in top_level(fake)
        if calibration_render.SCORE_BUTTON in json.dumps(m.get("blocks"))
        or "Calibration session" in m["text"]
    ]


def start_session(slack: SlackDriver, fake: FakeSlack, text: str) -> tuple[str, str]:
    """A manager starts a session; returns (session id, card ts)."""
    before = len(cards(fake))
    reply = run(slack, fake, text, user=ADMIN)
    assert "Calibration session posted" in reply["text"], reply
    card = eventually(lambda: cards(fake)[before:])[0]
    return button_value(card, calibration_render.SCORE_BUTTON), card["ts"]


def score_all(slack: SlackDriver, fake: FakeSlack, session_id: str, scores: dict[str, int]) -> None:
    for user, score in scores.items():
        view = open_score_form(slack, fake, session_id, user)
        assert submit_score(slack, view, user, score, f"evidence from {user}") == {}


def dm(fake: FakeSlack, user: str) -> list[str]:
    return [m["text"] for m in fake.messages(user)]


def test_a_panel_scores_blind_and_sees_the_spread(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    # Not a manager: refused, and nothing is posted.
    refused = run(slack, fake, f"calibrate {QUESTION}", user=ALICE)
    assert "only hiring managers" in refused["text"]
    assert cards(fake) == []

    session_id, card_ts = start_session(slack, fake, f"calibrate {QUESTION} specimen 2 for 2h")
    card = fake.find_message(CHANNEL, card_ts)
    assert card is not None
    card_text = json.dumps(card["blocks"])
    assert "Evidence to score" in card_text and "Strong yes" in card_text
    assert "0 interviewers scored so far" in card_text

    # Five raters; Bob opens the form twice (his first score is pre-selected the second time),
    # Carol changes her mind.
    first = {ALICE: 3, BOB: 2, CAROL: 4, DAVE: 4, LEAD: 2}
    score_all(slack, fake, session_id, first)
    again = open_score_form(slack, fake, session_id, BOB)
    [radio] = [b["element"] for b in again["blocks"] if b.get("block_id") == "score"]
    assert radio["initial_option"]["value"] == "2"
    view = open_score_form(slack, fake, session_id, CAROL)
    assert submit_score(slack, view, CAROL, 3, "on reflection, no trade-offs named") == {}
    final = {**first, CAROL: 3}

    eventually(lambda: len(fake.ephemerals(CHANNEL, CAROL)) >= 2)
    assert "changed to *3 (Yes)*" in fake.ephemerals(CHANNEL, CAROL)[-1]["text"]
    assert any("saved: *3 (Yes)*" in e["text"] for e in fake.ephemerals(CHANNEL, ALICE))
    eventually(
        lambda: (
            "5 interviewers scored so far"
            in json.dumps((fake.find_message(CHANNEL, card_ts) or {}).get("blocks"))
        )
    )
    # Nobody's score or note is visible in the channel before the close.
    assert not any("evidence from" in json.dumps(m) for m in fake.messages(CHANNEL))

    # A non-manager can't close it; the session stays open.
    reply = click_and_wait(slack, fake, calibration_render.CLOSE_BUTTON, session_id, user=ALICE)
    assert "Only hiring managers" in reply["text"]
    assert not in_thread(fake, card_ts)

    click(slack, fake, calibration_render.CLOSE_BUTTON, session_id, user=ADMIN)
    reveal = eventually(lambda: in_thread(fake, card_ts))[0]
    shown = reveal["text"] + json.dumps(reveal["blocks"])
    assert "5 interviewers scored" in shown
    assert "Median *3.0*" in shown and "mean *2.80*" in shown
    assert "evidence from UDAVE" in shown and "evidence from UBOB" in shown  # highest and lowest
    assert "<@" not in shown  # no names next to notes in the channel
    # Sample sd of [3, 2, 3, 4, 2] is 0.837; 2 of 10 pairs agree exactly (3-3, 2-2), 8 of 10
    # within one point (only 4-2 twice is further apart).
    assert "standard deviation *0.84*" in shown
    assert "*20%* of pairs gave the same score, *80%* within one point" in shown
    assert "expected *" in shown
    upload = eventually(lambda: fake.uploads(CHANNEL))[0]
    assert upload.thread_ts == card_ts and upload.content.startswith(b"\x89PNG")
    eventually(lambda: "(closed)" in (fake.find_message(CHANNEL, card_ts) or {}).get("text", ""))

    # The manager's named detail, and each rater's own result, privately.
    detail = eventually(lambda: [t for t in dm(fake, ADMIN) if "Calibration detail" in t])[0]
    assert all(f"<@{user}>" in detail for user in final)

    def results(user: str) -> list[str]:
        return [t for t in dm(fake, user) if "Your calibration result" in t]

    for user, score in final.items():
        note = eventually(partial(results, user))[0]
        assert f"you scored *{score}" in note
        assert "Calibration detail" not in " ".join(dm(fake, user))

    # Late: the form says it's closed, and a replayed submission changes nothing.
    reply = click_and_wait(slack, fake, calibration_render.SCORE_BUTTON, session_id, user=DAVE)
    assert "closed" in reply["text"]
    errors = submit_score(slack, view, CAROL, 1, "too late")
    assert "closed" in json.dumps(errors)
    [exported] = bot.export()["calibration"]
    assert {s["rater"]: s["score"] for s in exported["scores"]} == final
    assert exported["status"] == "closed" and exported["expected_score"] is not None


def ordinal_alpha(units: list[list[int]]) -> float:
    """Krippendorff's ordinal alpha from the coincidence matrix, written out for the check."""
    values = sorted({v for unit in units for v in unit})
    o = {(c, k): 0.0 for c in values for k in values}
    for unit in units:
        if len(unit) < 2:
            continue
        for i, j in ((i, j) for i in range(len(unit)) for j in range(len(unit)) if i != j):
            o[(unit[i], unit[j])] += 1 / (len(unit) - 1)
    n_c = {c: sum(o[(c, k)] for k in values) for c in values}
    n = sum(n_c.values())

    def delta(c: int, k: int) -> float:
        low, high = min(c, k), max(c, k)
        between = sum(n_c[g] for g in values if low <= g <= high)
        return (between - (n_c[c] + n_c[k]) / 2) ** 2

    observed = sum(o[(c, k)] * delta(c, k) for c in values for k in values)
    expected = sum(n_c[c] * n_c[k] * delta(c, k) for c, k in combinations(values, 2)) * 2
    return 1 - (n - 1) * observed / expected


def test_report_across_sessions_matches_an_independent_computation(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    panels = [
        {ALICE: 3, BOB: 2, CAROL: 3, DAVE: 4},
        {ALICE: 2, BOB: 1, CAROL: 2, DAVE: 3},
        {ALICE: 4, BOB: 3, CAROL: 4, DAVE: 4},
    ]

    def exported_session(session_id: str) -> dict[str, Any]:
        session: dict[str, Any] = bot.export()["calibration"][int(session_id) - 1]
        return session

    def all_scored(session_id: str) -> bool:
        return len(exported_session(session_id)["scores"]) == 4

    def closed(session_id: str) -> bool:
        return exported_session(session_id)["status"] == "closed"

    for panel in panels:
        session_id, _ = start_session(slack, fake, f"calibrate {QUESTION}")
        score_all(slack, fake, session_id, panel)
        eventually(partial(all_scored, session_id))
        click(slack, fake, calibration_render.CLOSE_BUTTON, session_id, user=ADMIN)
        eventually(partial(closed, session_id))

    report = json.loads(bot.cli("calibration", "report", "--json"))
    expected_alpha = ordinal_alpha([list(p.values()) for p in panels])
    assert report["sessions"] == 3 and report["raters"] == 4
    assert abs(report["overall"]["value"] - expected_alpha) < 1e-3
    # Bob scores a point below the others' mean in every session: the harshest, raw −1.0
    # before shrinkage; the shrunk value keeps its sign and is no bigger.
    profiles = {p["rater"]: p for p in report["profiles"]}
    bob = profiles[BOB]["severity"]
    raw_bob = sum(p[BOB] - (sum(p.values()) - p[BOB]) / 3 for p in panels) / 3
    assert abs(bob["raw"] - raw_bob) < 1e-3
    assert raw_bob <= bob["shrunk"] < 0
    assert min(profiles.values(), key=lambda p: p["severity"]["shrunk"])["rater"] == BOB

    text = run(slack, fake, "calibration report", user=ADMIN)["text"]
    assert f"*{expected_alpha:.2f}*" in text and "3 sessions" in text
    assert "Only hiring managers" in run(slack, fake, "calibration report", user=ALICE)[
        "text"
    ].replace("only hiring managers", "Only hiring managers")
    chart = eventually(lambda: fake.uploads(ADMIN))
    assert chart[0].content.startswith(b"\x89PNG")
    csv_text = bot.cli("calibration", "report", "--csv")
    assert csv_text.splitlines()[0].startswith("kind,key,value")


def start_form_values(channel: str | None = None) -> dict[str, Any]:
    values: dict[str, Any] = {
        "question": {"question": {"type": "static_select", "selected_option": {"value": QUESTION}}},
        "evidence": {"evidence": {"type": "static_select", "selected_option": {"value": "pasted"}}},
        **text_inputs({"pasted": "I'd use <!channel> Mongo.", "duration": "90m"}),
    }
    if channel:
        values["channel"] = {
            "channel": {"type": "conversations_select", "selected_conversation": channel}
        }
    return values


def test_managers_start_from_home_and_everyone_else_is_refused_even_by_replay(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    assert "Interviewer calibration" not in json.dumps(open_home(slack, fake, ALICE))
    home = json.dumps(open_home(slack, fake, ADMIN))
    assert "Interviewer calibration" in home and calibration_render.START_BUTTON in home

    form = click_for_modal(slack, fake, calibration_render.START_BUTTON, "", user=ADMIN)
    assert '"block_id": "channel"' in json.dumps(form)

    # The same form replayed by a non-manager: refused under the field, nothing posted.
    errors = submitted(slack, form, start_form_values(CHANNEL), user=ALICE)
    assert "Only hiring managers" in json.dumps(errors)
    assert cards(fake) == []
    # A manager without a channel is asked for one; with one, the pasted answer is posted.
    assert "channel" in submitted(slack, form, start_form_values(), user=ADMIN)["errors"]
    assert submitted(slack, form, start_form_values(CHANNEL), user=ADMIN) == {}
    card = eventually(lambda: cards(fake))[0]
    shown = json.dumps(card["blocks"])
    assert "An answer the hiring manager pasted" in shown
    assert "<!channel>" not in shown and "&lt;!channel&gt;" in shown

    # Replayed manager buttons from a non-manager change nothing.
    session_id = str(bot.export()["calibration"][0]["id"])
    reply = click_and_wait(slack, fake, calibration_render.CLOSE_BUTTON, session_id, user=ALICE)
    assert "Only hiring managers" in reply["text"]
    assert bot.export()["calibration"][0]["status"] == "open"
    before = len(fake.calls("views.open"))
    click(slack, fake, calibration_render.START_BUTTON, "", user=ALICE)
    assert "only hiring managers" in run(slack, fake, "calibration report", user=BOB)["text"]
    assert len(fake.calls("views.open")) == before  # no form for a non-manager


def test_a_teammates_answer_is_scored_only_after_its_author_agrees(
    bot: BotProcess, slack: SlackDriver, fake: FakeSlack
) -> None:
    run(slack, fake, "now", user=ADMIN)
    question_ts = eventually(lambda: top_level(fake))[0]["ts"]
    slack.reply(CHANNEL, question_ts, "I'd pick Postgres & <keep> it simple", user=ALICE)
    slack.reply(CHANNEL, question_ts, "Mongo, always", user=BOB)
    eventually(lambda: len(bot.export()["rounds"][0]["answers"]) == 2)
    run(slack, fake, "reveal", user=ADMIN)
    eventually(lambda: bot.export()["rounds"][0]["revealed_at"])
    question_id = bot.export()["rounds"][0]["question_id"]

    before = len(fake.calls("views.open"))
    slack.command("calibrate", user=ADMIN, channel=CHANNEL)
    form = modal_opened_since(fake, before)
    [select] = [b["element"] for b in form["blocks"] if b.get("block_id") == "answer"]
    options = {o["text"]["text"]: o["value"] for o in select["options"]}
    alice_answer = next(v for k, v in options.items() if "Postgres" in k)
    bob_answer = next(v for k, v in options.items() if "Mongo" in k)

    def values(answer_id: str) -> dict[str, Any]:
        picked = start_form_values()
        picked["question"]["question"]["selected_option"]["value"] = question_id
        picked["evidence"]["evidence"]["selected_option"]["value"] = "answer"
        picked["answer"] = {
            "answer": {"type": "static_select", "selected_option": {"value": answer_id}}
        }
        return picked

    assert submitted(slack, form, values(alice_answer), user=ADMIN) == {}
    request = eventually(
        lambda: [m for m in fake.messages(ALICE) if "May interviewers" in m["text"]]
    )[0]
    assert "Postgres &amp; &lt;keep&gt;" in json.dumps(request["blocks"])
    assert cards(fake) == []  # nothing posted before she agrees
    session_id = str(bot.export()["calibration"][0]["id"])

    # Only the author decides.
    reply = click_and_wait(slack, fake, calibration_render.CONSENT_ALLOW, session_id, user=BOB)
    assert "Only the answer's author" in reply["text"]
    reply = click_and_wait(slack, fake, calibration_render.CONSENT_ALLOW, session_id, user=ALICE)
    assert "without your name" in reply["text"]
    card = eventually(lambda: cards(fake))[0]
    shown = json.dumps(card["blocks"])
    assert "Postgres &amp; &lt;keep&gt; it simple" in shown and "UALICE" not in shown
    eventually(lambda: any("agreed" in t for t in dm(fake, ADMIN)))
    reply = click_and_wait(slack, fake, calibration_render.CONSENT_DECLINE, session_id, user=ALICE)
    assert "already decided" in reply["text"]

    # Bob says no: nothing is posted, and the manager hears it privately.
    assert submitted(slack, form, values(bob_answer), user=ADMIN) == {}
    eventually(lambda: len(bot.export()["calibration"]) == 2)
    second = str(bot.export()["calibration"][1]["id"])
    reply = click_and_wait(slack, fake, calibration_render.CONSENT_DECLINE, second, user=BOB)
    assert "nothing was shared" in reply["text"]
    eventually(lambda: any("preferred not to share" in t for t in dm(fake, ADMIN)))
    assert len(cards(fake)) == 1
    assert bot.export()["calibration"][1]["status"] == "declined"
