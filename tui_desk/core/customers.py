"""Customer history: who the customer is, how many tickets they have in each status, and which.

The command line (`tui-desk customer EMAIL`) reads it from here; the SQL stays in
store/customers.py, as docs/architecture.md asks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..domain.errors import NotFound
from ..domain.models import StatusDef
from ..i18n import _
from ..store import Store
from ..store import customers as stored
from .conversation import normalize_email


@dataclass(frozen=True)
class CustomerTicket:
    id: int
    status: str
    subject: str
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class CustomerHistory:
    email: str
    name: str | None
    tickets: tuple[CustomerTicket, ...]  # newest first

    def counts(self, statuses: Mapping[str, StatusDef]) -> dict[str, int]:
        """Tickets per status that has any, in the statuses' own order (a status no longer defined last)."""
        found: dict[str, int] = {}
        for ticket in self.tickets:
            found[ticket.status] = found.get(ticket.status, 0) + 1
        ordered = {key: found[key] for key in statuses if key in found}
        return ordered | {key: n for key, n in found.items() if key not in ordered}

    def to_json(self, statuses: Mapping[str, StatusDef]) -> dict[str, Any]:
        """The stored text as it is (JSON escapes what a terminal must not see)."""
        return {
            "email": self.email,
            "name": self.name,
            "counts": self.counts(statuses),
            "tickets": [
                {"id": t.id, "status": t.status, "subject": t.subject, "created_at": t.created_at, "updated_at": t.updated_at}
                for t in self.tickets
            ],
        }


def customer_history(store: Store, address: str) -> CustomerHistory:
    """The customer with this address (case ignored, as a new ticket finds its customer); NotFound if none."""
    email = normalize_email(address.strip())
    row = stored.find_customer(store, email)
    if row is None:
        raise NotFound(_("No customer with the address {email}").format(email=email))
    tickets = tuple(CustomerTicket(**t) for t in stored.customer_tickets(store, row["id"]))
    return CustomerHistory(email=row["email"], name=row["name"], tickets=tickets)
