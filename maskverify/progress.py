"""Progress of long loops: a tqdm bar on a terminal, one line per finished stage in a log.

A bar redraws itself with carriage returns; written to a CI log or ``make report > log`` it leaves
thousands of frames. :func:`bar` therefore draws one only when the stream is a terminal
(``stream.isatty()``); otherwise it counts silently and writes a single line when the stage finishes::

    Fig 2(a) curves m=64: 6 runs done in 12.3s

Imports nothing heavy (tqdm only when a bar is drawn), so every layer may use it.
"""

from __future__ import annotations

import sys
import time


def is_terminal(stream):
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def bar(iterable=None, *, total=None, desc="", unit="it", file=None):
    """A tqdm bar over ``iterable`` (or ``total`` manual ``update()`` steps) on a terminal; in a log, an
    object with the same ``__iter__``/``update``/``close`` that writes one line when the stage is done."""
    stream = sys.stderr if file is None else file
    if is_terminal(stream):
        from tqdm import tqdm

        return tqdm(iterable, total=total, desc=desc, unit=unit, file=stream, leave=False)
    return StageLine(iterable, total=total, desc=desc, unit=unit, file=stream)


class StageLine:
    """Stands in for a tqdm bar in a log: no frames, one line ``"<desc>: <n> <unit>s done in <t>s"`` at the
    end of the stage (after the last item of the iterable, or at ``close()``)."""

    def __init__(self, iterable=None, *, total=None, desc="", unit="it", file=None):
        self.iterable, self.total, self.desc, self.unit = iterable, total, desc, unit
        self.file = sys.stderr if file is None else file
        self.n, self.closed, self.t0 = 0, False, time.perf_counter()

    def __iter__(self):
        for x in self.iterable:
            yield x
            self.n += 1
        self.close()

    def __len__(self):
        return len(self.iterable) if self.iterable is not None else int(self.total or 0)

    def update(self, k=1):
        self.n += k

    def set_postfix(self, *args, **kwargs):
        pass

    def close(self):
        if self.closed:
            return
        self.closed = True
        unit = self.unit if self.n == 1 else f"{self.unit}s"
        self.file.write(f"{self.desc}: {self.n} {unit} done in {time.perf_counter() - self.t0:.1f}s\n")
        self.file.flush()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
