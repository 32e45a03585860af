"""How a change is said to the agent: one wording for the app's notice and the CLI's lines."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from ..domain.models import StatusDef, event_label, priority_label, status_label
from ..domain.text import one_line
from ..i18n import _
from .lifecycle import Change


def shown_status(key: str, statuses: Mapping[str, StatusDef]) -> str:
    """A status's label, a custom status's own name included."""
    definition = statuses.get(key)
    return definition.label if definition else status_label(key)


def value_label(kind: str, value: str | None, statuses: Mapping[str, StatusDef]) -> str:
    """A before or after value of a change as the agent reads it."""
    if value is None:
        return "-"
    if kind == "priority":
        return priority_label(value)
    if kind in ("assigned", "department", "tagged", "untagged"):
        return one_line(value)
    return shown_status(value, statuses)


def change_line(change: Change, statuses: Mapping[str, StatusDef]) -> str:
    """One change on a line of its own, with what it was and what it is: the CLI's output."""
    if change.from_value != change.to_value and (change.from_value or change.to_value):
        return _("#{id}: {kind}: {old} → {new}").format(
            id=change.ticket_id,
            kind=event_label(change.kind),
            old=value_label(change.kind, change.from_value, statuses),
            new=value_label(change.kind, change.to_value, statuses),
        )
    return _("#{id}: {kind}").format(id=change.ticket_id, kind=event_label(change.kind))


def change_summary(changes: Sequence[Change], label: Callable[[str], str]) -> str:
    """What one action did to one ticket, in a sentence: the app's notification."""
    first = changes[0]
    if first.kind in ("tagged", "untagged"):
        parts = [("+" if c.kind == "tagged" else "-") + (c.to_value or c.from_value or "") for c in changes]
        return _("#{id}: tags {tags}").format(id=first.ticket_id, tags=" ".join(parts))
    if first.kind == "assigned":
        return _("#{id} assigned to {agent}").format(id=first.ticket_id, agent=first.to_value or _("nobody"))
    if first.kind == "priority":
        return _("#{id}: priority {priority}").format(id=first.ticket_id, priority=priority_label(first.to_value or ""))
    if first.kind == "department":
        return _("#{id}: department {department}").format(id=first.ticket_id, department=first.to_value or "–")
    if first.kind == "merged" and len(changes) > 1:
        return _("#{id} merged into #{target}").format(id=first.ticket_id, target=changes[1].ticket_id)
    if first.kind == "split":
        return _("The message is now ticket #{id}").format(id=first.ticket_id)
    if first.from_value != first.to_value and first.to_value is not None:
        return _("#{id}: {action} — now {status}").format(
            id=first.ticket_id, action=event_label(first.kind), status=label(first.to_value)
        )
    return _("#{id}: {action}").format(id=first.ticket_id, action=event_label(first.kind))
