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


def write_user_file(path, text):
    """Write a file the user named on the command line (``--json OUT``): atomically, and an unwritable path
    becomes one clear :class:`~maskverify.errors.OutputPathError` (exit 2), not a traceback."""
    from maskverify.errors import OutputPathError

    try:
        write_text_atomic(path, text)
    except OSError as exc:
        raise OutputPathError(f"cannot write {str(path)!r}: {exc.strerror or exc}") from None
