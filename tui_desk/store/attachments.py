"""Attachments by ticket and by id, for saving them out of the desk (docs/issue15/attachments-out.md)."""

from __future__ import annotations

from typing import Any

from .db import Store


def ticket_attachment_rows(store: Store, ticket_id: int) -> list[dict[str, Any]]:
    """The attachments of a ticket's messages, in thread order, without their bytes."""
    return store.query(
        "SELECT a.id, a.message_id, a.filename, a.content_type, a.size FROM attachments a"
        " JOIN messages m ON m.id = a.message_id WHERE m.ticket_id = ? ORDER BY m.id, a.id",
        [ticket_id],
    )


def attachment_row(store: Store, attachment_id: int) -> dict[str, Any] | None:
    """One attachment with its bytes (`data`), or None."""
    return store.query_one(
        "SELECT id, message_id, filename, content_type, size, data FROM attachments WHERE id = ?", [attachment_id]
    )
