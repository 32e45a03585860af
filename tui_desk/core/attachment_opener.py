"""Opening an attachment with the system's program for its type (issue 15 item 1,
docs/issue15/reading.md).

The program is `$TUI_DESK_OPENER` when set (a command line, split like a shell's), else
`open` on macOS and `xdg-open` elsewhere. It gets a copy of the attachment under its clean
name (domain/file_names.safe_file_name) in a new private temporary folder, passed as an
absolute path, so a name like `-rf` or `../x` can be neither an option nor a way out. The
program runs detached: its own session, no terminal (stdin, stdout, stderr to /dev/null),
so a viewer that writes or waits cannot disturb the app's screen.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from ..domain.errors import TuiDeskError
from ..domain.file_names import safe_file_name
from ..i18n import _
from .attachments import write_new
from .detached import run_detached

OPENER_ENV = "TUI_DESK_OPENER"
START_WAIT = 1.5  # seconds an opener has to fail at once


class NoOpener(TuiDeskError):
    """No program to open files with: said in one line, never a traceback."""


def opener_command(env: Mapping[str, str] | None = None, platform: str | None = None) -> list[str]:
    """The opener's command line, checked to exist; NoOpener with what to do when it does not."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    configured = env.get(OPENER_ENV, "").strip()
    try:
        command = shlex.split(configured) if configured else ["open" if platform == "darwin" else "xdg-open"]
    except ValueError as error:
        raise NoOpener(_("{name} is not a command line: {error}").format(name=OPENER_ENV, error=error)) from None
    if not command or shutil.which(command[0]) is None:
        raise NoOpener(
            _("No program to open files: {program} was not found; set {name} to one").format(
                program=command[0] if command else "''", name=OPENER_ENV
            )
        )
    return command


def private_copy(name: str, data: bytes) -> Path:
    """A copy of the attachment under its clean name, in a new folder only this user can read."""
    folder = Path(tempfile.mkdtemp(prefix="tui-desk-"))  # mode 0700
    path = folder / safe_file_name(name)
    write_new(path, data)
    return path


def open_copy(name: str, data: bytes) -> Path:
    """Open a private copy of the attachment with the opener; the copy's path."""
    command = opener_command()
    path = private_copy(name, data)
    # xdg-open hands the file on and exits; with no program for the type it exits non-zero at
    # once. Waiting a moment (in the caller's worker thread) tells the two apart, so a failure is
    # said instead of "Opened"; a viewer still running after it is reaped in the background.
    try:
        status = run_detached([*command, str(path)], START_WAIT)
    except OSError as error:
        raise NoOpener(_("Could not start {program}: {error}").format(program=command[0], error=error.strerror)) from None
    if status is not None and status != 0:
        raise NoOpener(
            _("{program} could not open {name} (exit status {status})").format(program=command[0], name=path.name, status=status)
        )
    return path
