"""Every failure in a worker is said, in one line naming its cause; none is silent.

Workers run in threads and their exceptions end up on the worker object, where
nobody looks: a store that is full or damaged would make an action, a reload or
a page of the inbox quietly do nothing. Each node that starts workers mixes in
`ReportsWorkerFailures`, so a worker that dies of anything is reported once
through `report_failure`, and code that must clean up after a failure (the
editor, the thread pane) catches `Exception` itself and reports it the same way.
"""

from __future__ import annotations

import time

from textual.app import App
from textual.worker import Worker, WorkerState

from ..domain.errors import TuiDeskError
from ..domain.text import one_line
from ..i18n import _
from ..store.driver_errors import database_error_line

REPEAT_AFTER = 30.0  # a store that stays broken is named again now and then, not at every tick


def describe_failure(error: BaseException, store_path: str = "") -> str:
    """One line a user can act on: the core's own message, or what the database or the system said.

    The store is named by `redact_url`: a password in a connection URL is never shown.
    """
    if isinstance(error, TuiDeskError):
        return one_line(str(error))
    database = database_error_line(error, store_path)
    if database is not None:
        return one_line(database)
    if isinstance(error, OSError):
        return one_line(f"{error.strerror or error}" + (f": {error.filename}" if error.filename else ""))
    return one_line(_("Unexpected error ({kind}): {reason}").format(kind=type(error).__name__, reason=error), 300)


def report_failure(app: App, error: BaseException) -> None:
    """Notify the failure (on the app's thread), unless the same line was shown a moment ago."""
    store = getattr(app, "store", None)
    message = describe_failure(error, getattr(store, "path", ""))
    last: tuple[str, float] | None = getattr(app, "_last_failure", None)
    now = time.monotonic()
    if last is not None and last[0] == message and now - last[1] < REPEAT_AFTER:
        return
    app._last_failure = message, now  # type: ignore[attr-defined]
    app.notify(message, severity="error", markup=False, timeout=10)


class ReportsWorkerFailures:
    """Mixin for an App, Screen or Widget: a worker of this node that fails is reported."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        error = event.worker.error
        if event.state is WorkerState.ERROR and error is not None:
            report_failure(self.app, error)  # type: ignore[attr-defined]
