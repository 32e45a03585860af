"""Attachments out of the desk: list a ticket's, fetch one, save it without escaping or overwriting.

The rules (docs/issue15/attachments-out.md): the sender's name goes through
domain.file_names.safe_file_name, so the file lands inside the chosen folder under a clean
name; a taken name gets `name (2).ext` instead, claimed with O_EXCL so two saves at once
cannot both win it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from ..domain.errors import NotFound
from ..domain.file_names import numbered, safe_file_name
from ..domain.models import Attachment
from ..i18n import _
from ..store import Store, queries
from ..store import attachments as rows

# Past this many taken names the folder is not one a person keeps: stop rather than loop on.
MAX_TRIES = 10_000


@dataclass(frozen=True)
class AttachmentData:
    attachment: Attachment
    data: bytes


def ticket_attachments(store: Store, ticket_id: int) -> list[Attachment]:
    """A ticket's attachments in thread order; NotFound for an unknown ticket."""
    queries.get_ticket(store, ticket_id)
    return [Attachment(**r) for r in rows.ticket_attachment_rows(store, ticket_id)]


def get_attachment(store: Store, attachment_id: int) -> AttachmentData:
    row = rows.attachment_row(store, attachment_id)
    if row is None:
        raise NotFound(_("No attachment {id}").format(id=attachment_id))
    data = bytes(row.pop("data") or b"")
    return AttachmentData(Attachment(**row), data)


def downloads_dir() -> Path:
    """The user's downloads folder (platformdirs): where a save goes when no folder is named."""
    return platformdirs.user_downloads_path()


def write_new(path: Path, data: bytes) -> None:
    """Write a file that must not exist yet: FileExistsError rather than overwrite."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
    except BaseException:
        # A full disk or Ctrl+C halfway: no truncated file left under the attachment's name.
        path.unlink(missing_ok=True)
        raise


def free_name(folder: Path, name: str) -> Path:
    """Where `save_into` would put `name` now: its clean form, or the first free `name (n)`."""
    clean = safe_file_name(name)
    for n in range(1, MAX_TRIES + 1):
        path = folder / (clean if n == 1 else numbered(clean, n))
        if not os.path.lexists(path):
            return path
    raise FileExistsError(17, _("No free file name left"), str(folder / clean))


def replace_file(path: Path, data: bytes) -> Path:
    """Put `data` at `path` over what is there, as the user asked: written aside, then renamed over
    it, so a failed write leaves the old file whole (and a symlink there is replaced, not followed)."""
    for n in range(1, MAX_TRIES + 1):
        aside = path.with_name(f".{path.name}.{os.getpid()}.{n}.part")
        try:
            write_new(aside, data)
        except FileExistsError:
            continue
        try:
            os.replace(aside, path)
        except BaseException:
            aside.unlink(missing_ok=True)
            raise
        return path
    raise FileExistsError(17, _("No free file name left"), str(path))


def save_into(folder: Path, name: str, data: bytes) -> Path:
    """Save under the clean form of `name` in `folder`, or its first free `name (n)`; the path used."""
    clean = safe_file_name(name)
    for n in range(1, MAX_TRIES + 1):
        path = folder / (clean if n == 1 else numbered(clean, n))
        try:
            write_new(path, data)
        except FileExistsError:
            continue
        return path
    raise FileExistsError(17, _("No free file name left"), str(folder / clean))
