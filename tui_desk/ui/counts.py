"""How the app words a count that may have stopped at the cap (store/queries.COUNT_CAP).

Counting every ticket of a view of a million costs more than a frame; the store stops at the
cap and the app says "10,000+" instead (docs/issue16/fast.md).
"""

from __future__ import annotations

from ..i18n import _, ngettext, number
from ..store import queries


def count_text(count: int) -> str:
    """A count of the top line: exact, or "10,000+" past the cap (the store counted cap + 1)."""
    cap = queries.COUNT_CAP
    return at_least(cap) if count > cap else number(count)


def at_least(count: int) -> str:
    return _("{number}+").format(number=number(count))


def tickets_text(total: queries.Total) -> str:
    """The line under the inbox: "3 tickets", or "10,000+ tickets" when there are more."""
    if total.at_least:
        return ngettext("{n}+ ticket", "{n}+ tickets", total.count).format(n=number(total.count))
    return ngettext("{n} ticket", "{n} tickets", total.count).format(n=number(total.count))
