"""The import's parsing processes end with the importer, even one killed outright (SIGKILL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tui_desk.mail.sources import can_fork

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux") or not can_fork(), reason="Linux processes")

# Starts the parsers on an mbox, takes one parsed message, says the parsers' pids, then waits.
IMPORTER = """
import mailbox, sys, time
from pathlib import Path
from tui_desk.mail.sources import find_sources, parsed_elsewhere

box = mailbox.mbox(sys.argv[1])
for n in range(200):
    box.add(f"From: a{n}@example.com\\nSubject: S{n}\\nMessage-ID: <{n}@x>\\n\\nhello\\n".encode())
box.close()
with parsed_elsewhere(find_sources([Path(sys.argv[1])]), 2, 10) as items:
    next(items)
    print("ready", flush=True)
    time.sleep(60)
"""


def _children(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after the command's name, which may hold spaces
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(entry))
    return found


def test_the_parsers_end_when_the_importer_is_killed(tmp_path: Path) -> None:
    importer = subprocess.Popen([sys.executable, "-c", IMPORTER, str(tmp_path / "in.mbox")],
                                stdout=subprocess.PIPE, text=True)
    try:
        assert importer.stdout is not None and importer.stdout.readline().strip() == "ready"
        parsers = _children(importer.pid)
        assert len(parsers) == 2
    finally:
        importer.send_signal(signal.SIGKILL)
        importer.wait()
    deadline = time.monotonic() + 20
    left = parsers
    while left and time.monotonic() < deadline:
        left = {pid for pid in parsers if Path(f"/proc/{pid}").exists() and _state(pid) != "Z"}
        time.sleep(0.05)
    for pid in left:  # do not leave them behind when the test fails
        os.kill(pid, signal.SIGKILL)
    assert not left, "parsers outlived the killed importer"


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"
