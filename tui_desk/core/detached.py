"""A program run detached from the app's terminal: the attachment opener
(core/attachment_opener.py) and desktop notifications (core/desktop_notify.py).

Its own session and no terminal (stdin, stdout, stderr to /dev/null), so a program that
writes or waits cannot disturb the app's screen, nor get its signals.
"""

from __future__ import annotations

import subprocess
import threading


def run_detached(argv: list[str], wait: float) -> int | None:
    """Start `argv` detached and wait up to `wait` seconds (call it from a worker thread): its exit
    status, or None while it still runs (reaped in the background when it ends).

    OSError: it could not start.
    """
    process = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        close_fds=True,
    )
    try:
        return process.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        threading.Thread(target=process.wait, daemon=True).start()
        return None
