"""Tests of maskverify/progress.py: a bar on a terminal only; in a log, one line per finished stage."""

import io

from maskverify import progress


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_log_gets_one_line_per_stage_and_no_carriage_returns():
    log = io.StringIO()
    assert list(progress.bar(range(5), desc="Fig 2(a) curves", unit="run", file=log)) == list(range(5))
    manual = progress.bar(total=3, desc="grid", unit="cell", file=log)
    for _ in range(3):
        manual.update(1)
    manual.close()
    manual.close()  # closing twice writes nothing more
    lines = log.getvalue().splitlines()
    assert "\r" not in log.getvalue() and len(lines) == 2
    assert lines[0].startswith("Fig 2(a) curves: 5 runs done in") and lines[1].startswith("grid: 3 cells done")


def test_terminal_gets_a_tqdm_bar():
    term = Terminal()
    assert list(progress.bar(range(3), desc="Algorithm 1", unit="step", file=term)) == [0, 1, 2]
    assert "\r" in term.getvalue() and "Algorithm 1" in term.getvalue()


def test_a_closed_or_plain_stream_is_not_a_terminal():
    closed = io.StringIO()
    closed.close()
    assert not progress.is_terminal(closed) and not progress.is_terminal(object())
