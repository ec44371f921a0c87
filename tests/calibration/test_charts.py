"""Calibration charts: real PNGs of a sensible size, and matplotlib loaded only when drawing."""

from __future__ import annotations

import struct
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from bot.calibration.agreement import Rating, session_summary
from bot.calibration.charts import report_png, score_distribution_png
from bot.calibration.overview import CalibrationReport, build_report
from tests.helpers import ROOT

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
START = datetime(2025, 1, 6, 10, 0, tzinfo=UTC)


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk."""
    assert png.startswith(PNG_MAGIC)
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def sample_report() -> CalibrationReport:
    """Six sessions over two questions and two months; U3 scores a point below the others."""
    ratings = []
    for session in range(1, 7):
        truth = 1 + session % 4
        for rater in ("U1", "U2", "U3", "U4"):
            score = max(1, truth - 1) if rater == "U3" else truth
            ratings.append(
                Rating(
                    session_id=session,
                    rater=rater,
                    score=score,
                    expected=truth if session % 2 else None,
                    question_id=f"q{session % 2}",
                    category="behavioural",
                    closed_at=START + timedelta(days=7 * session),
                )
            )
    ratings.append(Rating(99, "U1", 3, None, "q-lonely", "design", START))
    return build_report(ratings, bootstrap=100)


@pytest.mark.parametrize("expected", [3, None])
def test_score_distribution_is_a_small_png(expected: int | None) -> None:
    png = score_distribution_png(session_summary([2, 3, 3, 4, 1], expected), "Conflict story")
    assert png_size(png) == (600, 320)
    assert len(png) > 5_000  # bars, labels and lines, not a blank canvas


def test_score_distribution_of_a_single_score_still_draws() -> None:
    png = score_distribution_png(session_summary([4], None), "Only one interviewer so far")
    assert png.startswith(PNG_MAGIC)
    assert len(png) > 3_000


def test_report_chart_draws_severities_and_question_alphas() -> None:
    report = sample_report()
    assert any(p.ranked for p in report.profiles)
    assert report.by_question["q-lonely"].value is None  # left out of the chart
    png = report_png(report, names={"U1": "Ada", "U3": "Grace"}, questions={"q0": "Conflict"})
    width, height = png_size(png)
    assert width == 700 and height > 300
    assert len(png) > 10_000


def test_report_chart_of_no_data_still_draws() -> None:
    png = report_png(build_report([]))
    assert png.startswith(PNG_MAGIC)
    assert len(png) > 3_000


def test_matplotlib_loads_only_when_a_chart_is_drawn_and_pyplot_never() -> None:
    code = """
import sys
import bot.calibration.charts as charts
from bot.calibration.agreement import session_summary
assert "matplotlib" not in sys.modules, "imported at module load"
png = charts.score_distribution_png(session_summary([3, 3], 3), "t")
assert png.startswith(b"\\x89PNG")
assert "matplotlib" in sys.modules
assert "matplotlib.pyplot" not in sys.modules, "pyplot keeps global state"
"""
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
