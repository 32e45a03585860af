"""Saving attachments from the thread with the keyboard (issue 15 item 1): into the downloads
folder, under clean names, never over an existing file, with a notification naming where."""

from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest

from tui_desk.core.lifecycle import TicketService
from tui_desk.store import Store
from tui_desk.ui.screens.dialogs import ChoiceDialog

from .conftest import make_app
from .helpers import SIZE, StepClock, notifications, press, settle

ESCAPED = "\x1b[31mred\x1b[0m.txt"


@pytest.fixture
def downloads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    monkeypatch.delenv("XDG_DOWNLOAD_DIR", raising=False)
    return platformdirs.user_downloads_path()


def _ticket(store: Store, *files: tuple[str, str, bytes]) -> int:
    return TicketService(store, clock=StepClock(), actor="alice").create_ticket(
        email="erin@example.com", subject="Invoice", body="see attached", attachments=list(files)
    )


async def test_one_attachment_is_saved_and_a_second_save_keeps_the_first(empty_store: Store, downloads: Path) -> None:
    _ticket(empty_store, ("../../x", "text/plain", b"TRAVERSAL"))
    app = make_app(empty_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "A")
        await settle(pilot)
        await press(pilot, "A")
        await settle(pilot)
        saved = notifications(app)
        assert any(str(downloads) in n and "x (2)" in n for n in saved), saved
    assert sorted(p.name for p in downloads.iterdir()) == ["x", "x (2)"]
    assert (downloads / "x").read_bytes() == b"TRAVERSAL"


async def test_several_attachments_ask_which_and_all_saves_every_one(empty_store: Store, downloads: Path) -> None:
    _ticket(empty_store, ("report.pdf", "application/pdf", b"PDF"), (ESCAPED, "text/plain", b"ESC"))
    app = make_app(empty_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "A")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await press(pilot, "enter")  # the first choice: all of them
        await settle(pilot)
        assert not any("\x1b" in n for n in notifications(app))
    assert sorted(p.name for p in downloads.iterdir()) == ["[31mred[0m.txt", "report.pdf"]


async def test_a_ticket_without_attachments_says_so(empty_store: Store, downloads: Path) -> None:
    _ticket(empty_store)
    app = make_app(empty_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "A")
        await settle(pilot)
        assert any("no attachments" in n for n in notifications(app, "warning"))
    assert not downloads.exists()
