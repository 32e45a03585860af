"""Defects found by attacking the app's issue 15 surfaces (attachments, quote folding, customer
history, forward, the editor's signatures and attachments) as a hostile sender and a demanding
user would. Each test names what was done and seen; it failed before its fix."""

from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest
from textual.widgets._toast import Toast

from tui_desk.core.lifecycle import TicketService
from tui_desk.store import Store
from tui_desk.ui.screens.dialogs import ChoiceDialog

from .conftest import make_app
from .helpers import SIZE, StepClock, notifications, press, settle


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


def toasts(app) -> str:  # noqa: ANN001
    """What the notifications draw (rendered as the toast does, so markup in them shows)."""
    return "\n".join(str(Toast(n).render()) for n in app._notifications)


@pytest.mark.parametrize("name", ["[red]Pay now.pdf", "x]y[@click=app.quit]z.pdf"])
async def test_a_saved_attachment_named_like_markup_is_named_as_sent(empty_store: Store, downloads: Path, name: str) -> None:
    _ticket(empty_store, (name, "application/pdf", b"%PDF"))
    app = make_app(empty_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "A")
        assert isinstance(app.screen, ChoiceDialog)
        await press(pilot, "enter")
        await settle(pilot)
        saved = [p.name for p in downloads.iterdir()]
        assert len(saved) == 1, saved
        shown = toasts(app)
        assert saved[0] in shown.replace("\n", ""), (shown, notifications(app))


async def test_an_opener_that_fails_is_said_not_reported_as_opened(empty_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """xdg-open with no program for the type exits non-zero at once: the app said "Opened" and nothing opened."""
    monkeypatch.setenv("TUI_DESK_OPENER", "false")
    _ticket(empty_store, ("report.pdf", "application/pdf", b"PDF"))
    app = make_app(empty_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "A", "down", "enter")
        for _ in range(60):
            if notifications(app):
                break
            await pilot.pause(0.05)
        assert not any("Opened" in n for n in notifications(app)), notifications(app)
        errors = notifications(app, "error")
        assert len(errors) == 1 and "false" in errors[0] and "report.pdf" in errors[0], errors
