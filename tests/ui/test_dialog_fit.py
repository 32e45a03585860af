"""Issue 17, small terminals: a dialog with a list fits the screen; its list gives up rows, not its hint."""

from __future__ import annotations

import pytest
from textual.widgets import OptionList

from tui_desk.ui.screens.postpone import PostponeDialog

from .conftest import Desk, make_app
from .helpers import press, settle, type_text


def shown_whole(app, selector: str) -> bool:  # noqa: ANN001
    """Whether the widget (a selector, or "last": the dialog's last line) is drawn inside the
    dialog's frame, not cut by the screen."""
    dialog = app.screen.query_one(".dialog")
    widget = dialog.children[-1] if selector == "last" else app.screen.query_one(selector)
    return widget.region.height > 0 and dialog.content_region.contains_region(widget.region)


@pytest.mark.parametrize("size", [(60, 20), (80, 24)])
async def test_the_postpone_dialog_shows_every_choice_and_its_hint(desk: Desk, size: tuple[int, int]) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await press(pilot, "p")
        assert isinstance(app.screen, PostponeDialog)
        await pilot.pause()
        assert "Esc cancels" in str(app.screen.query_one(".dialog").children[-1].render())
        assert shown_whole(app, "last")
        options = app.screen.query_one("#choices", OptionList)
        assert options.option_count == 3 and options.scrollable_content_region.height >= 3
        await type_text(pilot, "1h30m")  # the time it means takes a row of its own
        await pilot.pause()
        assert shown_whole(app, "#postpone-when")
        assert shown_whole(app, "last")
