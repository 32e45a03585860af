"""Unsent replies and notes, kept until the store has them: through a failed write, a quit or a crash.

Each draft is a file next to the store (`<store>.drafts/reply-12.txt`), private to
the user (folder 0700, file 0600, as the store itself), written whole and renamed
into place so a crash mid-write leaves the previous copy. A store without a file
(in memory) keeps drafts for the session only.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


class Drafts:
    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._memory: dict[tuple[str, int], str] = {}

    @classmethod
    def next_to(cls, store_path: str) -> Drafts:
        if not store_path or store_path == ":memory:" or store_path.startswith("file:"):
            return cls(None)
        path = Path(store_path)
        return cls(path.with_name(path.name + ".drafts"))

    def _file(self, kind: str, ticket_id: int) -> Path | None:
        return self.folder / f"{kind}-{ticket_id}.txt" if self.folder is not None else None

    def load(self, kind: str, ticket_id: int) -> str | None:
        text = self._memory.get((kind, ticket_id))
        if text is not None:
            return text
        path = self._file(kind, ticket_id)
        if path is None:
            return None
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
        return text if text.strip() else None

    def save(self, kind: str, ticket_id: int, text: str) -> None:
        """Keep the text; an empty one is no draft. Raises OSError when the file cannot be written
        (the copy in memory is kept all the same)."""
        if not text.strip():
            self.delete(kind, ticket_id)
            return
        self._memory[(kind, ticket_id)] = text
        path = self._file(kind, ticket_id)
        if path is None:
            return
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".tmp")
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise

    def delete(self, kind: str, ticket_id: int) -> None:
        self._memory.pop((kind, ticket_id), None)
        path = self._file(kind, ticket_id)
        if path is not None:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
