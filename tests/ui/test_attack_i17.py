"""Issue 17, hostile review: what a demanding user found on every terminal (docs/issue17/attack.md)."""

from __future__ import annotations

import pytest
from rich.style import Style

from .conftest import Desk, make_app
from .helpers import SIZE, press, settle
from .test_colours import mono


async def test_no_color_on_a_16_colour_terminal_keeps_every_state_apart(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    """NO_COLOR users often run TERM=xterm or the Linux console: the 16-colour styles must not undo the mono ones."""
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.delenv("COLORTERM", raising=False)
    app = make_app(desk.store)
    assert app.console.color_system == "standard"
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "G")
        inbox = app.main.inbox
        style = {name: mono(inbox.get_component_rich_style(f"inbox--{name}", partial=True))
                 for name in ("urgent", "high", "sla-near", "sla-breached")}
        plain = {mono(Style()), mono(Style(bold=True))}  # an ordinary cell of a row, needing attention or not
        for name, look in style.items():
            assert look not in plain, f"{name} looks like any other cell without colour"
        assert style["urgent"] != style["high"], "urgent and high look the same without colour"
        assert style["sla-near"] != style["sla-breached"], "a near and an overdue SLA look the same without colour"
