"""Files attached in the reply and note editor (issue 15 item 2, docs/issue15/editor-attachments.md).

Ctrl+O opens `FilePicker`: a path to type (Tab-free completion: → takes the suggestion) or a
folder tree to walk, keyboard only; Enter picks a file, Escape cancels. The editor reads the
file in a thread worker (`read_file`), refuses one over `MAX_PICK_BYTES` or that cannot be
read with one notification, and lists what it holds under the text (`AttachmentList`),
where Delete removes the highlighted one.
"""

from __future__ import annotations

import mimetypes
import os
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text, TextType
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import DirectoryTree, Footer, Input, Label, OptionList
from textual.widgets.option_list import Option

from ..domain.errors import InvalidInput
from ..domain.text import one_line, printable
from ..i18n import N_, _

MAX_PICK_BYTES = 25_000_000  # what most mail servers take for a whole message; the core has its own limit


@dataclass(frozen=True)
class Picked:
    """A file read for sending: where it was (kept in the drafts) and what goes with the reply."""

    path: str
    name: str
    content_type: str
    data: bytes

    @property
    def attachment(self) -> tuple[str, str, bytes]:
        return (self.name, self.content_type, self.data)


def expanded(path: str) -> Path:
    """`~` and `~user` expanded; as typed when there is no such user (expanduser raises RuntimeError)."""
    try:
        return Path(path).expanduser()
    except RuntimeError:
        return Path(path)


def read_file(path: str) -> Picked:
    """The file's bytes, name and type; InvalidInput (one line) when it is not a readable file under the limit."""
    target = expanded(path)
    try:
        if not target.is_file():
            raise InvalidInput(_("Cannot attach {path}: not a file").format(path=target))
        size = target.stat().st_size
        if size > MAX_PICK_BYTES:
            raise InvalidInput(
                _("Cannot attach {name}: {size} MB is over the limit of {limit} MB").format(
                    name=target.name, size=f"{size / 1_000_000:,.1f}", limit=MAX_PICK_BYTES // 1_000_000
                )
            )
        with target.open("rb") as handle:
            data = handle.read(MAX_PICK_BYTES + 1)  # the file may grow after the stat
    except OSError as error:
        raise InvalidInput(
            _("Cannot attach {path}: {reason}").format(path=target, reason=error.strerror or error)
        ) from None
    if len(data) > MAX_PICK_BYTES:
        raise InvalidInput(
            _("Cannot attach {name}: it is over the limit of {limit} MB").format(
                name=target.name, limit=MAX_PICK_BYTES // 1_000_000
            )
        )
    content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    return Picked(str(target), target.name, content_type, data)


def size_text(size: int) -> str:
    if size < 1_000:
        return f"{size:,} B"
    if size < 1_000_000:
        return f"{size / 1_000:,.1f} KB"
    return f"{size / 1_000_000:,.1f} MB"


class AttachmentList(OptionList):
    """The files attached so far; Delete (or Backspace) removes the highlighted one."""

    BINDINGS = [Binding("delete,backspace", "remove", N_("Remove file"))]

    class Remove(Message):
        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def show(self, picked: list[Picked]) -> None:
        highlighted = self.highlighted
        self.clear_options()
        self.add_options(
            Option(Content(f"📎 {one_line(p.name, 60)} ({size_text(len(p.data))})")) for p in picked
        )
        self.display = bool(picked)
        if picked:
            self.highlighted = min(highlighted or 0, len(picked) - 1)

    def action_remove(self) -> None:
        if self.highlighted is not None:
            self.post_message(self.Remove(self.highlighted))


class PathSuggester(Suggester):
    """Completes the last part of a typed path from what that folder holds (→ takes it)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        folder, _sep, start = value.rpartition("/")
        where = expanded(folder or "/") if value.startswith(("/", "~")) or folder else Path.cwd()
        try:
            names = sorted(entry.name for entry in os.scandir(where) if entry.name.startswith(start))
        except OSError:
            return None
        hidden = start.startswith(".")
        names = [n for n in names if hidden or not n.startswith(".")]
        if not names or not start and len(names) != 1:
            return None
        completed = f"{folder}/{names[0]}" if folder or value.startswith("/") else names[0]
        return completed + "/" if (where / names[0]).is_dir() else completed


class SafeDirectoryTree(DirectoryTree):
    """The folder tree with each name through the sanitiser: a file name on disk may hold escape
    sequences (an unpacked archive's), which DirectoryTree sent to the terminal as they were."""

    def process_label(self, label: TextType) -> Text:
        return super().process_label(printable(label) if isinstance(label, str) else label)


class FilePicker(ModalScreen[str | None]):
    """Pick a file to attach: type its path, or walk the folders (Tab between the two)."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog file-picker"):
            yield Label(Content(_("Attach a file")), classes="dialog-title")
            yield Label(
                Content(_("Type a path (→ completes) or Tab to the folders; Enter attaches, Esc cancels")),
                classes="dialog-hint",
            )
            yield Input(str(self.folder) + os.sep, id="attach-path", suggester=PathSuggester())
            yield SafeDirectoryTree(self.folder, id="attach-tree")
        yield Footer()

    def on_mount(self) -> None:
        typed = self.query_one(Input)
        typed.cursor_position = len(typed.value)  # typing goes on from the folder shown
        typed.focus()

    @on(Input.Submitted)
    def typed(self, event: Input.Submitted) -> None:
        path = expanded(event.value.strip())
        if path.is_dir():  # a folder: show it in the tree, to pick from there
            self.query_one(DirectoryTree).path = path
            self.query_one(DirectoryTree).focus()
            return
        if event.value.strip():  # absolute: a `~nosuchuser/x` left as typed is not expanded again by the editor
            self.dismiss(str(path.absolute()))

    @on(DirectoryTree.FileSelected)
    def chosen(self, event: DirectoryTree.FileSelected) -> None:
        self.dismiss(str(event.path))

    def action_cancel(self) -> None:
        self.dismiss(None)
