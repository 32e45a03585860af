"""SLA state in words and colours for the inbox column and the thread header."""

from __future__ import annotations

from datetime import datetime

from ..core.sla import SlaState
from ..core.sla_tracking import FIRST_RESPONSE, SlaView
from ..domain.clock import from_text, humanize_age
from ..i18n import _
from .format import local_time

STATE_STYLE = {
    SlaState.OK: "",
    SlaState.NEAR: "bold yellow",
    SlaState.BREACHED: "bold reverse red",  # apart from near without colour and in 16 colours too
}


def short_label(view: SlaView, now: datetime) -> str:
    """A few cells for the inbox: time to the due moment, or how late it is."""
    if view.state is SlaState.BREACHED:
        if view.due:
            return "−" + humanize_age(now.timestamp() - from_text(view.due).timestamp())
        # No due time left (the ticket is closed): say which target was missed, in the
        # inbox's 6 cells. Translators: at most 6 characters each; the ? help explains them.
        resolution_late = view.target != FIRST_RESPONSE and (view.remaining is None or view.remaining < 0)
        return _("solve✗") if resolution_late else _("reply✗")
    if view.state in (SlaState.OK, SlaState.NEAR) and view.due:
        return humanize_age(from_text(view.due).timestamp() - now.timestamp())
    return ""


def sentence(view: SlaView, now: datetime) -> str:
    """One line for the thread header."""
    what = _("first response") if view.target == FIRST_RESPONSE else _("resolution")
    if view.state is SlaState.BREACHED and view.due:
        return _("{what} overdue by {age} (was due {due})").format(
            what=what, age=humanize_age(now.timestamp() - from_text(view.due).timestamp()), due=local_time(view.due)
        )
    if view.state is SlaState.BREACHED:
        return _("{what} target missed").format(what=what)
    if view.state in (SlaState.OK, SlaState.NEAR) and view.due:
        return _("{what} due {due} (in {age})").format(
            what=what, due=local_time(view.due), age=humanize_age(from_text(view.due).timestamp() - now.timestamp())
        )
    if view.state is SlaState.PAUSED:
        late = _("; the first response was late") if view.first_response_breached else ""
        return _("clock paused (not waiting on us)") + late
    return ""
