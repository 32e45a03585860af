"""Snapshots of the main layouts and dialogs (fixed data, fixed clock, UTC, no cursor blink).

Every key is pressed in `run_before`, which waits for the workers after each key, so the
screen is taken once the store has answered. Review a changed SVG before accepting it:
    pytest tests/ui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot

from tui_desk.domain.clock import fixed_clock
from tui_desk.i18n import set_language
from tui_desk.ui.app import TuiDeskApp

from .conftest import ACTOR, Desk, make_app
from .helpers import NOW, SIZE, press, settle, type_text


def keys(*pressed: str, typed: str = "") -> Callable[[Pilot], Awaitable[None]]:
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await press(pilot, *pressed)
        if typed:
            await type_text(pilot, typed)
        for widget in pilot.app.screen.query("Input, TextArea"):
            widget.cursor_blink = False  # type: ignore[attr-defined]
        await settle(pilot)

    return run_before


class TestMainScreen:
    def test_inbox_thread_and_timeline(self, desk: Desk, snap_compare) -> None:  # noqa: ANN001
        assert snap_compare(make_app(desk.store), terminal_size=SIZE, run_before=keys())

    def test_thread_with_internal_note(self, desk: Desk, snap_compare) -> None:  # noqa: ANN001
        # The invoice ticket: a customer message and an internal note; the thread has the focus.
        assert snap_compare(make_app(desk.store), terminal_size=SIZE, run_before=keys("j", "j", "enter"))

    def test_small_terminal_80x24(self, desk: Desk, snap_compare) -> None:  # noqa: ANN001
        assert snap_compare(make_app(desk.store), terminal_size=(80, 24), run_before=keys())

    def test_thread_focused_at_80x24(self, desk: Desk, snap_compare) -> None:  # noqa: ANN001
        # The pinned line keeps who wrote and the SLA above the thread's end; ? Help in the top bar.
        assert snap_compare(make_app(desk.store), terminal_size=(80, 24), run_before=keys("j", "enter"))

    def test_thread_focused_at_80x24_in_latvian(self, desk: Desk, snap_compare) -> None:  # noqa: ANN001
        set_language("lv")
        try:
            assert snap_compare(make_app(desk.store), terminal_size=(80, 24), run_before=keys("j", "enter"))
        finally:
            set_language(None)

    def test_saved_views_as_tabs(self, desk: Desk, tmp_path: Path, snap_compare) -> None:  # noqa: ANN001
        # Three saved views above the inbox; `}` twice shows the second, whose tab is lit.
        config = tmp_path / "config.toml"
        config.write_text(
            '[views."billing waiting on us"]\ndepartment = "Billing"\n\n'
            '[views."my urgent"]\nstatus = "all"\nassignee = "me"\norder = "sla"\n\n'
            '[views."[bold]not bold"]\nstatus = "resolved"\n'
        )
        app = TuiDeskApp(desk.store, clock=fixed_clock(NOW), actor=ACTOR, live_interval=None, config_file=config)
        run_before = keys("right_curly_bracket", "right_curly_bracket")
        assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


class TestColours:
    """Issue 17: a light theme on every pane, and the states that show without colour."""

    def test_light_theme_80x24(self, desk: Desk, snap_compare) -> None:  # noqa: ANN001
        app = make_app(desk.store)
        app.theme = "textual-light"
        assert snap_compare(app, terminal_size=(80, 24), run_before=keys())

    def test_no_color_80x24(self, desk: Desk, snap_compare, monkeypatch) -> None:  # noqa: ANN001
        monkeypatch.setenv("NO_COLOR", "1")  # read when the app is made
        assert snap_compare(make_app(desk.store), terminal_size=(80, 24), run_before=keys("G"))


class TestDialogs:
    def test_reply_editor_with_text(self, desk: Desk, snap_compare) -> None:  # noqa: ANN001
        run_before = keys("r", typed="Thanks Dave, we restarted the VPN gateway. Please try again.")
        assert snap_compare(make_app(desk.store), terminal_size=SIZE, run_before=run_before)

    def test_help_screen(self, desk: Desk, snap_compare) -> None:  # noqa: ANN001
        assert snap_compare(make_app(desk.store), terminal_size=SIZE, run_before=keys("question_mark"))

    def test_postpone_dialog(self, desk: Desk, snap_compare) -> None:  # noqa: ANN001
        assert snap_compare(make_app(desk.store), terminal_size=SIZE, run_before=keys("p"))

    def test_filter_picker_narrowed(self, desk: Desk, snap_compare) -> None:  # noqa: ANN001
        # f → By department…, "bil" typed: only Billing is left (docs/issue17/filters.md).
        run_before = keys("f", "down", "down", "down", "enter", typed="bil")
        assert snap_compare(make_app(desk.store), terminal_size=(80, 24), run_before=run_before)
