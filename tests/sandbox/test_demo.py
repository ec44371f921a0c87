"""The offline demo: a newcomer's first run shows a full round, from their own bank if they like."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.helpers import ROOT


def run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env={**base, "DOTENV_PATH": str(tmp_path / "none.env"), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_demo_plays_a_day_from_a_custom_bank(tmp_path: Path) -> None:
    bank = tmp_path / "ours.yaml"
    bank.write_text(
        "questions:\n"
        "  - id: our-question\n    category: system-design\n"
        "    question: How would you shard our <events> table?\n"
        "    rationale: We look for partition keys & hot spots.\n"
        "    sample_answer: Shard by tenant id, watch for hot tenants.\n"
        "    rubric:\n"
        "      1: No partition key at all.\n"
        "      2: A key, but no thought about hot spots.\n"
        "      3: A sound key and how to spot hot partitions.\n"
        "      4: Level 3 plus how to reshard without downtime.\n"
        "    specimens:\n"
        "      - answer: Shard by tenant id, watch for hot tenants.\n"
        "        expected_score: 3\n"
        "        why: A sound key and hot spots, no resharding.\n"
        "      - answer: Shard by event time so old data ages out.\n"
        "        expected_score: 2\n"
        "        why: Every write hits the newest shard.\n"
    )
    before = berlin_today()
    result = run(["demo", "--speed", "0", "--questions", str(bank)], tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # today is played (the clock is simulated, and says so)
    played = re.search(r"today, (\w+day \d\d \w+ \d{4}) \(Europe/Berlin\)", out)
    assert played is not None, out[:500]
    assert played.group(1) in {f"{day:%A %d %B %Y}" for day in (before, berlin_today())}
    assert "simulated clock" in out
    assert "INTERVIEW QUESTION OF THE DAY" in out
    assert "How would you shard our <events> table?" in out  # escapes rendered back
    assert "dave (edited)" in out
    assert "We look for partition keys & hot spots." in out
    assert "Shard by tenant id, watch for hot tenants." in out
    assert "4 people answered: @alice, @bob, @dave, @carol" in out
    assert re.search(r"Top-voted answer · 2 👍 votes\s+@alice", out)
    assert "(CLOSED)" in out
    assert "Rounds answered: 1" in out and "Votes received: 2" in out
    assert "🥇 @alice — 3 (1 round, 2 votes)" in out
    assert_calibration(out, sessions=2)

    found = re.search(r"SQLite file (\S+\.db)", out)
    assert found is not None, out
    db = found.group(1)
    exported = run(["export"], tmp_path, DATABASE_URL=f"sqlite:///{db}")
    [rnd] = json.loads(exported.stdout)["rounds"]
    assert rnd["question_id"] == "our-question" and rnd["revealed_at"]
    by_user = {a["user"]: a for a in rnd["answers"]}
    assert set(by_user) == {"UALICE", "UBOB", "UCAROL", "UDAVE"}
    assert sorted(by_user["UALICE"]["votes"]) == ["UBOB", "UCAROL"]
    assert by_user["UBOB"]["votes"] == []  # his own reaction is not a vote
    assert by_user["UDAVE"]["text"].endswith("what I'd do differently.")


def berlin_today() -> datetime:
    return datetime.now(UTC).astimezone(ZoneInfo("Europe/Berlin"))


def test_demo_previews_every_question_of_the_bank(tmp_path: Path) -> None:
    entries = [
        ("shard-events", "databases", "How would you shard <events>?", "By tenant & time."),
        ("changed-mind", "behavioral", "When did you change your mind?", "Data changed a plan."),
        ("cache-stampede", "system-design", "How do you stop a cache stampede?", "Lock or jitter."),
    ]
    bank = tmp_path / "three.yaml"
    bank.write_text(
        "questions:\n"
        + "".join(
            f"  - id: {qid}\n    category: {category}\n    question: {question}\n"
            f"    rationale: Why we ask {qid}.\n    sample_answer: {answer}\n"
            for qid, category, question, answer in entries
        )
    )
    result = run(["demo", "--speed", "0", "--questions", str(bank)], tmp_path)
    assert result.returncode == 0, result.stderr
    preview = result.stdout[: result.stdout.index("#interview-practice in Demo Co")]
    assert "3 questions, all valid" in preview
    at = 0
    for number, (qid, category, question, answer) in enumerate(entries, start=1):
        # in the bank's order, each rendered as posted: title, category, the question (escaped
        # for Slack, shown back as written), then the reveal's rationale and sample answer
        at = preview.index(f"{number}/3 · {qid}", at)
        end = preview.find(f"{number + 1}/3 · ", at)
        card = preview[at : end if end > 0 else None]
        assert "INTERVIEW QUESTION OF THE DAY" in card
        assert category.replace("-", " ").capitalize() in card
        assert question in card and f"Why we ask {qid}." in card and answer in card


def assert_calibration(out: str, sessions: int) -> None:
    """The calibration part: the reveal, the private results, the report and the saved charts."""
    calibration = out[out.index("Interviewer calibration") :]
    assert "5 interviewers scored" in calibration  # the reveal in the card's thread
    assert "Median 3.0 · mean 3.00" in calibration  # 3, 2, 3, 4, 3 after carol's change
    assert "Your score is changed to 3 (Yes)" in calibration
    assert "Calibration detail" in calibration and "@bob 2 (No)" in calibration
    assert "Your calibration result · you scored 2 (No)" in calibration
    assert f"Calibration report · {sessions} sessions" in calibration
    assert "Panel agreement" in calibration
    charts = re.findall(r"Chart saved: (\S+\.png)", out)
    assert len(charts) == sessions + 1  # one per reveal, one for the report
    assert any(c.endswith("calibration-report.png") for c in charts)
    for chart in charts:
        assert Path(chart).read_bytes().startswith(b"\x89PNG"), chart


def test_run_without_credentials_falls_back_to_the_demo(tmp_path: Path) -> None:
    result = run(["run"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[0].startswith("No Slack credentials in .env")
    assert "THE REVEAL" in result.stdout
    assert_calibration(result.stdout, sessions=3)  # the bank's first question has 3 specimens


def test_demo_rejects_a_broken_bank_with_its_problems(tmp_path: Path) -> None:
    bank = tmp_path / "broken.yaml"
    bank.write_text("questions:\n  - id: x\n    category: databases\n")
    result = run(["demo", "--questions", str(bank)], tmp_path)
    assert result.returncode == 2
    # every problem, with its file and line
    assert f"{bank}:2: entry 1 (id 'x'): missing field 'question'" in result.stderr
    assert f"{bank}:2: entry 1 (id 'x'): missing field 'sample_answer'" in result.stderr
    assert "Traceback" not in result.stderr
