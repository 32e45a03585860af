"""The lifecycle table (docs/lifecycle.md) and the words a user types for statuses and priorities."""

from __future__ import annotations

from ..domain.errors import InvalidInput
from ..domain.models import Priority, Status
from ..i18n import _

LIVE = frozenset({Status.NEW, Status.OPEN, Status.ANSWERED, Status.RESOLVED, Status.POSTPONED})

# The lifecycle table of docs/lifecycle.md: action -> (statuses it may start from, status it leads to).
# A custom status takes the row of the built-in status its meaning stands for.
REPLY_FROM = frozenset({Status.NEW, Status.OPEN, Status.ANSWERED, Status.POSTPONED, Status.RESOLVED})
RESOLVE_FROM = frozenset({Status.NEW, Status.OPEN, Status.ANSWERED, Status.POSTPONED})
POSTPONE_FROM = frozenset({Status.NEW, Status.OPEN, Status.ANSWERED})
REOPEN_FROM = frozenset({Status.RESOLVED})
CUSTOMER_REOPENS = frozenset({Status.ANSWERED, Status.RESOLVED, Status.POSTPONED})
RESTORE_FROM = frozenset({Status.SPAM, Status.DELETED})

# Words accepted by set_status (the command line's `status ID STATUS`).
STATUS_ACTIONS = {
    "resolved": "resolve",
    "resolve": "resolve",
    "postponed": "postpone",
    "postpone": "postpone",
    "spam": "spam",
    "deleted": "delete",
    "delete": "delete",
    "restore": "restore",
    "restored": "restore",
    "open": "reopen",
    "reopen": "reopen",
    "reopened": "reopen",
    "purge": "purge",
}


def parse_priority(value: str) -> Priority:
    try:
        return Priority(str(value).strip().lower())
    except ValueError:
        raise InvalidInput(
            _("Unknown priority {value!r}: use low, normal, high or urgent").format(value=value)
        ) from None


__all__ = [
    "CUSTOMER_REOPENS",
    "LIVE",
    "POSTPONE_FROM",
    "REOPEN_FROM",
    "REPLY_FROM",
    "RESOLVE_FROM",
    "RESTORE_FROM",
    "STATUS_ACTIONS",
    "parse_priority",
]
