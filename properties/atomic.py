"""Atomic file writes: write to a temporary file in the same folder, then ``os.replace``.

An interrupted run therefore never leaves a half-written report, lockfile or figure.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_text_atomic(path, text):
    write_bytes_atomic(path, text.encode())


def write_bytes_atomic(path, data):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; reports and figures are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
