"""What an empty store shows in the inbox: how to get tickets in, as commands to copy."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from ..core.config import DB_ENV, default_db_path
from ..domain.store_location import is_server_url, redact_url
from ..i18n import _


def _store_line(store_path: str) -> list[tuple[str, str]]:
    """How the commands find this store, when they would not by themselves (the app runs on --db).

    A server's URL is shown redacted: the agent puts their password back (or uses PGPASSFILE).
    """
    if is_server_url(store_path):
        if os.environ.get(DB_ENV) == store_path:
            return []
        return [(f"export {DB_ENV}={shlex.quote(redact_url(store_path))}", "")]
    try:
        path = Path(store_path).resolve()
        default = Path(os.environ[DB_ENV]).resolve() if os.environ.get(DB_ENV) else default_db_path().resolve()
    except (OSError, RuntimeError):
        path, default = None, Path()
    if path == default:
        return []
    return [(f"export {DB_ENV}={shlex.quote(store_path)}", "")]


def getting_started(store_path: str) -> list[tuple[str, str]]:
    return [
        ("", ""),
        ("", _("No tickets yet. Bring some in from a terminal; they show up here:")),
        *_store_line(store_path),
        ("tui-desk import PATH", _("import mail: mbox files, Maildir folders, .eml files or a JSON export")),
        ("tui-desk fetch", _("fetch new mail from the IMAP accounts of the config file")),
        ("tui-desk new --email ADDRESS --subject TEXT", _("open a ticket for a customer request")),
        ("tui-desk --demo", _("open the app on a fresh store of demo tickets")),
    ]
