"""Unsent replies and notes, kept until the store has them: through a failed write, a quit or a crash.

Each draft is a file next to the store (`<store>.drafts/reply-12-alice.txt`, with the paths of
the files attached to it in `reply-12-alice.files` and an edited Cc field in `reply-12-alice.cc`: one per agent, as agents may share a store and an account), private to the user (folder 0700, file 0600, as the store itself), written whole and renamed
into place so a crash mid-write leaves the previous copy. A store without a file
(in memory) keeps drafts for the session only. A desk on a server (a postgresql:// URL) keeps
them in the user's data folder, beside where the default store would be, in a folder named by
a hash of the redacted URL: one per desk, and no password in a file name.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from pathlib import Path
from urllib.parse import quote

from ..core.config import default_db_path
from ..domain.private_files import make_private_folders
from ..domain.store_location import is_server_url, redact_url


class Drafts:
    def __init__(self, folder: Path | None, actor: str = "agent") -> None:
        self.folder = folder
        # The agent's name as a file name part: any name, never a path. A long one is cut and
        # told apart by a hash of the whole name, so two agents never share a draft.
        quoted = quote(actor, safe="")
        self._actor = quoted if len(quoted) <= 60 else quoted[:51] + "-" + hashlib.sha1(actor.encode()).hexdigest()[:8]
        self._folder_ready = False
        self._memory: dict[tuple[str, int], str] = {}
        self._files: dict[tuple[str, int], list[str]] = {}
        self._cc: dict[tuple[str, int], str | None] = {}

    @classmethod
    def next_to(cls, store_path: str, actor: str = "agent") -> Drafts:
        if is_server_url(store_path):
            desk = hashlib.sha256(redact_url(store_path.strip()).encode()).hexdigest()[:24]
            return cls(default_db_path().parent / "drafts" / desk, actor)
        if not store_path or store_path == ":memory:" or store_path.startswith("file:"):
            return cls(None, actor)
        path = Path(store_path)
        return cls(path.with_name(path.name + ".drafts"), actor)

    def _file(self, kind: str, ticket_id: int) -> Path | None:
        return self.folder / f"{kind}-{ticket_id}-{self._actor}.txt" if self.folder is not None else None

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

    def save(self, kind: str, ticket_id: int, text: str, *, durable: bool = False) -> None:
        """Keep the text; an empty one is no draft. Raises OSError when the file cannot be written
        (the copy in memory is kept all the same).

        The rename alone survives the app being killed; ``durable`` also syncs to disk, so a
        power cut keeps it too (the moments that matter: sending, closing the editor, quitting;
        not every pause in typing, where a slow disk would hold the editor up)."""
        if not text.strip():
            self.delete(kind, ticket_id)
            return
        self._memory[(kind, ticket_id)] = text
        path = self._file(kind, ticket_id)
        if path is None:
            return
        self._write_private(path, text, durable=durable)

    def kept(self) -> list[tuple[str, int]]:
        """Every draft of this agent: (kind, ticket id), oldest ticket first."""
        found = {key for key, text in self._memory.items() if text.strip()}
        if self.folder is not None:
            pattern = re.compile(rf"(reply|note)-(\d+)-{re.escape(self._actor)}\.txt")
            try:
                names = [entry.name for entry in self.folder.iterdir()]
            except OSError:
                names = []
            for name in names:
                match = pattern.fullmatch(name)
                if match and self.load(match[1], int(match[2])) is not None:
                    found.add((match[1], int(match[2])))
        return sorted(found, key=lambda key: (key[1], key[0]))

    def written_at(self, kind: str, ticket_id: int) -> float | None:
        """When the draft's file was last written (epoch seconds); None without one."""
        path = self._file(kind, ticket_id)
        try:
            return path.stat().st_mtime if path is not None else None
        except OSError:
            return None

    def path(self, kind: str, ticket_id: int) -> Path | None:
        return self._file(kind, ticket_id)

    def move(self, kind: str, from_id: int, to_id: int) -> None:
        """Give a draft to another ticket (its ticket was merged there), after any draft that one has."""
        text = self.load(kind, from_id)
        if text is None:
            return
        there = self.load(kind, to_id)
        self.save(kind, to_id, f"{there.rstrip()}\n\n{text}" if there else text, durable=True)
        self.delete(kind, from_id)

    def delete(self, kind: str, ticket_id: int) -> None:
        self._memory.pop((kind, ticket_id), None)
        self._files.pop((kind, ticket_id), None)
        self._cc.pop((kind, ticket_id), None)
        path = self._file(kind, ticket_id)
        if path is not None:
            for gone in (path, path.with_suffix(".files"), path.with_suffix(".cc")):
                with contextlib.suppress(FileNotFoundError):
                    gone.unlink()

    # -- the files attached to a draft: their paths, one a line, beside its text ------------------
    def save_files(self, kind: str, ticket_id: int, paths: list[str]) -> None:
        """Keep the paths of the draft's attachments (none: the list goes). Raises OSError as save does."""
        self._files[(kind, ticket_id)] = list(paths)
        path = self._file(kind, ticket_id)
        if path is None:
            return
        listed = path.with_suffix(".files")
        if not paths:
            with contextlib.suppress(FileNotFoundError):
                listed.unlink()
            return
        self._write_private(listed, "".join(p + "\n" for p in paths if "\n" not in p))

    def _write_private(self, target: Path, text: str, *, durable: bool = False) -> None:
        """Write ``target`` whole or not at all, readable by the agent alone. Raises OSError.

        The rename alone survives the app being killed; ``durable`` also syncs to disk.
        """
        if not self._folder_ready:
            make_private_folders(target.parent)
            target.parent.chmod(0o700)  # made by an older run or by hand: private all the same
            self._folder_ready = True
        temporary = target.with_name(target.name + ".tmp")
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()  # left by a crash; O_EXCL below: never reuse a file with other permissions
        try:
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileNotFoundError:
            self._folder_ready = False  # the folder went meanwhile: made again on the next save
            raise
        try:
            # surrogateescape: a path is the disk's bytes (a Latin-1 name too), kept as they are
            with os.fdopen(handle, "w", encoding="utf-8", errors="surrogateescape") as stream:
                stream.write(text)
                stream.flush()
                if durable:
                    os.fsync(stream.fileno())
            os.replace(temporary, target)
        except BaseException:
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise

    def load_files(self, kind: str, ticket_id: int) -> list[str]:
        """The paths of the draft's attachments, as kept ([] without any)."""
        if (kind, ticket_id) in self._files:
            return list(self._files[(kind, ticket_id)])
        path = self._file(kind, ticket_id)
        if path is None:
            return []
        try:
            text = path.with_suffix(".files").read_text(encoding="utf-8", errors="surrogateescape")
        except OSError:
            return []
        return [line for line in text.splitlines() if line.strip()]

    # -- a reply's Cc field as the agent edited it (None: the ticket's remembered Cc) ------------
    def save_cc(self, kind: str, ticket_id: int, text: str | None) -> None:
        """Keep the Cc field's text with the draft (None: not edited, the file goes). Raises OSError."""
        self._cc[(kind, ticket_id)] = text
        path = self._file(kind, ticket_id)
        if path is None:
            return
        kept = path.with_suffix(".cc")
        if text is None:
            with contextlib.suppress(FileNotFoundError):
                kept.unlink()
            return
        self._write_private(kept, " ".join(text.split()))  # one line, whatever was pasted

    def load_cc(self, kind: str, ticket_id: int) -> str | None:
        """The Cc field's text kept with the draft; None when it was not edited."""
        if (kind, ticket_id) in self._cc:
            return self._cc[(kind, ticket_id)]
        path = self._file(kind, ticket_id)
        if path is None:
            return None
        try:
            return path.with_suffix(".cc").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
