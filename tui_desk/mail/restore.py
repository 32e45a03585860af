"""What `import --restore` brings back of a ticket besides its messages (the mbox export's headers).

The mbox export writes on each message the ticket's status (X-Tui-Desk-Status)
and the rest of its state as JSON (X-Tui-Desk-State: tags, assignee, priority,
department, postponed_until). Anyone can write these headers in a mail, so the
importer reads them only on an explicit restore; even then a value is only ever
applied through TicketService, one change with its event each, and nothing in a
file can purge a ticket or merge one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ..core.lifecycle import TicketService
from ..domain.clock import from_text
from ..domain.errors import TuiDeskError
from ..domain.models import Status
from ..store import mail_records

_TEXT_KEYS = ("assignee", "priority", "department", "postponed_until")


def state_header(ticket: dict[str, Any], tags: Sequence[str]) -> str:
    """X-Tui-Desk-State for a ticket row (with its assignee and department names): compact ASCII JSON.

    ASCII (\\u escapes) so that the header needs no RFC 2047 encoding; the
    importer's header decoding gives the same text back.
    """
    state: dict[str, Any] = {"tags": list(tags)} if tags else {}
    for key in _TEXT_KEYS:
        if ticket.get(key):
            state[key] = ticket[key]
    return json.dumps(state, ensure_ascii=True, separators=(",", ":"), sort_keys=True)


def read_state(text: str | None) -> dict[str, Any]:
    """The state a header holds; whatever is not of the expected shape is left out."""
    if not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    state: dict[str, Any] = {key: data[key] for key in _TEXT_KEYS if isinstance(data.get(key), str)}
    tags = data.get("tags")
    if isinstance(tags, list):
        state["tags"] = [tag for tag in tags if isinstance(tag, str)]
    return state


def restore_ticket(service: TicketService, ticket_id: int, status: str | None, state: dict[str, Any]) -> None:
    """Bring an imported ticket to the status and state its export recorded; what cannot be done is left."""
    _restore_status(service, ticket_id, status, state.get("postponed_until"))
    steps = [
        lambda: service.assign(ticket_id, state["assignee"]) if state.get("assignee") else None,
        lambda: service.set_priority(ticket_id, state["priority"]) if state.get("priority") else None,
        lambda: service.set_department(ticket_id, state["department"]) if state.get("department") else None,
    ]
    steps += [lambda tag=tag: service.tag(ticket_id, [tag]) for tag in state.get("tags", ())]  # type: ignore[misc]
    for step in steps:
        try:
            step()
        except TuiDeskError:  # already so, or refused by today's rules (a tag name): keep the rest
            continue


def _restore_status(service: TicketService, ticket_id: int, wanted: str | None, until: str | None) -> None:
    current = mail_records.ticket_status(service.store, ticket_id)
    definition = service.statuses().get(wanted or "")
    # Only a status key of this store: never an action word such as "purge" or "restore".
    if current is None or definition is None or current == wanted:
        return
    try:
        if not definition.builtin:
            service.set_custom_status(ticket_id, definition.key)
        elif wanted == Status.OPEN:
            if current != Status.NEW:
                service.reopen(ticket_id)
        elif wanted == Status.RESOLVED:
            service.resolve(ticket_id)
        elif wanted == Status.SPAM:
            service.mark_spam(ticket_id)
        elif wanted == Status.DELETED:
            service.delete(ticket_id)
        elif wanted == Status.POSTPONED:
            moment = _moment(until)
            if moment is not None and moment > service.clock():  # a past wake-up time: it is awake by now
                service.postpone(ticket_id, moment)
        # New and Answered follow from the messages; Merged needs the other ticket, which mail cannot say.
    except TuiDeskError:
        return


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return from_text(text)
    except (TypeError, ValueError, OverflowError):
        return None
