"""Saving attachments from the thread with the keyboard (issue 15 item 1): into the downloads
folder, under clean names, never over an existing file, with a notification naming where."""

from __future__ import annotations

import asyncio
import stat
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


async def test_one_attachment_is_saved_and_saving_again_asks_then_keeps_both(empty_store: Store, downloads: Path) -> None:
    _ticket(empty_store, ("../../x.txt", "text/plain", b"TRAVERSAL"))
    app = make_app(empty_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "A")  # one attachment: straight to what to do with it
        assert isinstance(app.screen, ChoiceDialog) and "x.txt" in app.screen.title_text
        await press(pilot, "enter")  # save
        assert any(str(downloads) in n and "x.txt" in n for n in notifications(app)), notifications(app)
        assert (downloads / "x.txt").read_bytes() == b"TRAVERSAL"

        await press(pilot, "A", "enter")  # save again: the name is taken, so it asks
        assert isinstance(app.screen, ChoiceDialog)
        assert "x.txt is already in" in app.screen.title_text
        assert [value for value, _label in app.screen.choices] == ["both", "replace", "cancel"]
        assert "x (2).txt" in app.screen.choices[0][1]
        await press(pilot, "enter")  # keep both
        assert any("x (2).txt" in n for n in notifications(app)), notifications(app)
    assert sorted(p.name for p in downloads.iterdir()) == ["x (2).txt", "x.txt"]
    assert (downloads / "x.txt").read_bytes() == b"TRAVERSAL"


async def test_replace_and_cancel_when_the_name_is_taken(empty_store: Store, downloads: Path) -> None:
    _ticket(empty_store, ("note.txt", "text/plain", b"NEW"))
    downloads.mkdir(parents=True)
    (downloads / "note.txt").write_bytes(b"OLD")
    app = make_app(empty_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "A", "enter", "down", "down", "enter")  # cancel
        assert "Not saved" in notifications(app)
        assert (downloads / "note.txt").read_bytes() == b"OLD"
        await press(pilot, "A", "enter", "down", "enter")  # replace
        assert (downloads / "note.txt").read_bytes() == b"NEW"
    assert sorted(p.name for p in downloads.iterdir()) == ["note.txt"], "nothing left aside"


async def test_several_attachments_ask_which_and_all_saves_every_one(empty_store: Store, downloads: Path) -> None:
    _ticket(empty_store, ("report.pdf", "application/pdf", b"PDF"), (ESCAPED, "text/plain", b"ESC"))
    app = make_app(empty_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "A")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        assert app.screen.choices[0][1] == "Save all 2 attachments"
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


async def test_one_of_several_is_opened_with_the_opener_on_a_private_copy(
    empty_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "opened.txt"
    opener = tmp_path / "opener.sh"
    opener.write_text(f'#!/bin/sh\nprintf "%s" "$1" > "{log}"\n')
    opener.chmod(0o755)
    monkeypatch.setenv("TUI_DESK_OPENER", str(opener))
    _ticket(empty_store, ("report.pdf", "application/pdf", b"PDF"), ("-rf \x1b[2Jshot.png", "image/png", b"\x89PNG\r\n"))
    app = make_app(empty_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "A", "down", "down", "enter")  # the second attachment
        assert isinstance(app.screen, ChoiceDialog)
        await press(pilot, "down", "enter")  # open
        for _ in range(100):
            if log.exists() and log.read_text():
                break
            await asyncio.sleep(0.05)
        opened = Path(log.read_text())
        assert opened.is_absolute() and opened.name == "-rf [2Jshot.png", opened
        assert opened.read_bytes() == b"\x89PNG\r\n"
        assert stat.S_IMODE(opened.parent.stat().st_mode) == 0o700
        assert any("Opened" in n for n in notifications(app))


async def test_a_missing_opener_is_one_clear_line(empty_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUI_DESK_OPENER", "/nonexistent/viewer --new-window")
    _ticket(empty_store, ("report.pdf", "application/pdf", b"PDF"))
    app = make_app(empty_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "A", "down", "enter")
        errors = notifications(app, "error")
        assert errors == ["No program to open files: /nonexistent/viewer was not found; set TUI_DESK_OPENER to one"]
