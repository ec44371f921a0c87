"""The log: one whole line per record whichever thread logs it, and nothing queued is lost when
the process exits."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.helpers import ROOT

PROGRAM = textwrap.dedent(
    """
    import logging, threading
    from bot import logs

    logs.configure("INFO")

    def burst(n):
        for i in range(300):
            logging.getLogger("bot.http").info("request", extra={"worker": n, "i": i})

    threads = [threading.Thread(target=burst, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    logging.getLogger("bot").info("last line, logged just before exit")
    """
)


def test_lines_from_many_threads_are_whole_in_order_and_written_before_exit() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROGRAM], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 8 * 300 + 1
    assert lines[-1].endswith("INFO bot: last line, logged just before exit")
    for n in range(8):
        mine = [line for line in lines if f" worker={n} " in line]
        assert [line.rsplit("i=", 1)[1] for line in mine] == [str(i) for i in range(300)]
        assert all(" INFO bot.http: request " in line for line in mine)
