"""One frame per selection: the inbox highlight and the new thread appear together.

Moving the cursor repaints two inbox rows at once, and the thread arrives from a
worker a few milliseconds later. Painted separately that is two frames, and the
second waits for Textual's frame timer (up to 1/60 s) after the first: the
thread shows ~30 ms after the key instead of ~15. Holding screen updates until
the thread is applied (never longer than `longest`) paints both in one frame.
"""

from __future__ import annotations

from contextlib import suppress

from textual.app import App, ScreenStackError
from textual.timer import Timer

LONGEST_HOLD = 0.05  # a slow load shows the highlight first rather than freeze the inbox


class FrameHold:
    """Holds the app's screen updates from a cursor move until its ticket is shown."""

    def __init__(self, app: App, longest: float = LONGEST_HOLD) -> None:
        self._app = app
        self._longest = longest
        self._timer: Timer | None = None

    def hold(self) -> None:
        if self._timer is not None:
            return  # a held key: the first move's deadline stands, so frames keep coming
        # batch_update() is a context manager and cannot span the worker's round trip;
        # these are the calls it makes.
        self._app._begin_batch()
        self._timer = self._app.set_timer(self._longest, self.release, name="frame-hold")

    def release(self) -> None:
        if self._timer is None:
            return
        self._timer.stop()
        self._timer = None
        self._app._end_batch()
        # Widgets that refreshed during the hold already asked for a frame and were told
        # to wait; prompting the screen lets its idle handler start the frame now.
        with suppress(ScreenStackError):  # the app is closing
            self._app.screen.check_idle()
