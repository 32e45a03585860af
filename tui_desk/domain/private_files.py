"""Files only their owner may read: the store (and its -wal/-shm), exports, the config.

They hold customer mail and sometimes passwords, so they are created 0600 in
folders created 0700, whatever the umask. A folder the user already has
(their home, /tmp) is left as it is.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def make_private_folders(folder: Path) -> None:
    """Create `folder` and any missing parents 0700; existing ones keep their mode."""
    missing: list[Path] = []
    current = folder
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for path in reversed(missing):
        try:
            os.mkdir(path, FOLDER_MODE)
        except FileExistsError:
            continue  # another process made it meanwhile: theirs to set
        os.chmod(path, FOLDER_MODE)  # mkdir's mode is narrowed by the umask, never widened


def create_private_file(path: Path) -> bool:
    """Create an empty file 0600 if there is none; True when this call created it."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return False
    try:
        os.fchmod(descriptor, FILE_MODE)
    finally:
        os.close(descriptor)
    return True


@contextmanager
def private_umask() -> Iterator[None]:
    """Files created meanwhile (by code that takes no mode, such as mailbox) get no group or other rights."""
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)
