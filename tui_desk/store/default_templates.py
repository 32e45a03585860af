"""The saved replies a new store starts with (see core/templates.py for what a saved reply is).

Written by the migration that adds the templates table, in the language active then.
"""

from __future__ import annotations

from collections.abc import Callable

from ..domain.clock import Clock, system_clock, to_text
from ..i18n import _


def default_templates() -> list[tuple[str, str]]:
    """The saved replies a new store starts with, in the language active now."""
    return [
        (
            _("Acknowledge"),
            _(
                "Hello {customer.first_name},\n\n"
                "Thank you for writing to us. We have received your request (ticket #{ticket.id})"
                " and are looking into it. We will get back to you as soon as we can.\n\n"
                "Best regards,\n{agent.name}\n"
            ),
        ),
        (
            _("Need more info"),
            _(
                "Hello {customer.first_name},\n\n"
                "Thank you for your message about “{ticket.subject}”. To help you further we need"
                " a little more information:\n\n"
                "- what exactly happened, and when\n"
                "- any error message you saw\n"
                "- what you have tried so far\n\n"
                "Just reply to this e-mail; your answer goes straight to ticket #{ticket.id}.\n\n"
                "Best regards,\n{agent.name}\n"
            ),
        ),
        (
            _("Resolved"),
            _(
                "Hello {customer.first_name},\n\n"
                "Good news: the issue you reported (ticket #{ticket.id}) is now resolved. If anything"
                " is still not working as it should, just reply to this e-mail and we will pick it up again.\n\n"
                "Best regards,\n{agent.name}\n"
            ),
        ),
        (
            _("Refund policy"),
            _(
                "Hello {customer.first_name},\n\n"
                "Thank you for getting in touch. You can ask for a refund within 30 days of purchase."
                " Once approved, the refund goes back to the original payment method and usually shows"
                " within 5 to 10 business days.\n\n"
                "If you would like us to go ahead, please reply with your order number.\n\n"
                "Best regards,\n{agent.name}\n"
            ),
        ),
    ]


def seed_defaults(execute: Callable[[str, list[str]], object], clock: Clock = system_clock) -> None:
    """Add the default saved replies whose names are free; `execute(sql, params)` runs in the caller's transaction."""
    now = to_text(clock())
    for name, body in default_templates():
        execute(
            "INSERT OR IGNORE INTO templates(name, body, created_at, updated_at) VALUES (?, ?, ?, ?)",
            [name, body, now, now],
        )
