"""Desktop notifications through `notify-send` (issue 18 item 3, docs/issue18/alerts.md).

The text comes from mail (subjects) and the config (names): hostile. It is passed as one
argument after `--`, never through a shell, so it cannot be an option or a command; control
and format characters are dropped (no escape codes, no bidirectional tricks), markup is taken
out (notification servers read a subset of HTML in the body) and the length is bounded. The
program runs detached, in its own session with no terminal, as the attachment opener does.
"""

from __future__ import annotations

import re
import shutil
import unicodedata

from ..i18n import _
from .detached import run_detached

PROGRAM = "notify-send"
APP_NAME = "tui-desk"
BODY_LIMIT = 400  # a few alert lines
START_WAIT = 5.0  # seconds notify-send has to say it failed; a hung one is left to finish alone

_TAG = re.compile(r"<[^>]*>")
# What is left of markup after the tags: shown as look-alikes the server does not parse.
_INERT = str.maketrans({"<": "‹", ">": "›", "&": "＆"})


def _kept(char: str) -> str:
    """Control characters become spaces (they part words); format and unassigned ones go."""
    category = unicodedata.category(char)
    if category == "Cc":
        return " "
    return "" if category.startswith("C") else char


def clean(text: str, limit: int = BODY_LIMIT) -> str:
    """Plain text for a notification server: lines kept, no control characters, no markup, bounded."""
    lines = []
    for line in text.split("\n"):
        kept = "".join(_kept(c) for c in line)
        flat = " ".join(_TAG.sub("", kept).translate(_INERT).split())
        if flat:
            lines.append(flat)
    joined = "\n".join(lines)
    return joined if len(joined) <= limit else joined[: limit - 1] + "…"


def program() -> str | None:
    """The notify-send on PATH, or None where the desktop offers none."""
    return shutil.which(PROGRAM)


def command(path: str, text: str, *, critical: bool = False) -> list[str]:
    return [path, f"--app-name={APP_NAME}", f"--urgency={'critical' if critical else 'normal'}", "--", APP_NAME, clean(text)]


def send(path: str, text: str, *, critical: bool = False) -> str | None:
    """Show `text` on the desktop; None when done (or still running), else what went wrong, in one line.

    Blocks up to START_WAIT seconds: call it from a worker thread.
    """
    try:
        status = run_detached(command(path, text, critical=critical), START_WAIT)
    except OSError as error:
        return _("Could not start {program}: {error}").format(program=PROGRAM, error=error.strerror)
    if status is not None and status != 0:
        return _("{program} failed (exit status {status})").format(program=PROGRAM, status=status)
    return None
