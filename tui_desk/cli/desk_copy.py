"""`tui-desk copy --to STORE`: the whole desk of the current store into a new one (a file or a
postgresql:// URL), e.g. moving a desk from SQLite to a team's PostgreSQL server and back."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from ..core.config import store_location
from ..domain.errors import InvalidInput
from ..domain.store_location import redact_url
from ..i18n import _, ngettext, number
from ..store import Store, open_store
from ..store.desk_copy import copy_desk, discard_new_store

COMMAND = "copy"


def add_parser(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    p = command(COMMAND, _("copy the whole desk into another store (a new file or a postgresql:// URL)"))
    p.add_argument("--to", required=True, metavar="STORE", help=_(
        "the store to copy into: a file, or postgresql://... (created if missing; refused if it holds a desk)"))
    p.add_argument("--quiet", action="store_true", help=_("no progress line"))


def copy_command(args: argparse.Namespace, source: Store) -> int:
    location = store_location(args.to, "--to")
    if str(location) == ":memory:":  # a copy that is gone when the command ends, reported as made
        raise InvalidInput(_("--to :memory: is gone when the copy ends: copy into a file or a postgresql:// URL"))
    is_new_file = isinstance(location, Path) and not location.exists()
    target = open_store(location)
    done = False
    try:
        counts = copy_desk(source, target, None if args.quiet or not sys.stderr.isatty() else _progress)
        done = True
    finally:
        if not done and is_new_file:
            discard_new_store(target)  # the file this run made: gone again, as it was
        else:
            target.close()
        if not args.quiet and sys.stderr.isatty():
            print("\r\033[K", end="", file=sys.stderr)
    other = sum(n for table, n in counts.items() if table not in ("tickets", "messages", "attachments", "events"))
    # One plural-aware part per count, as the importer's summary: one sentence cannot agree with five numbers.
    parts = (
        ngettext("{n} ticket", "{n} tickets", counts.get("tickets", 0)).format(n=number(counts.get("tickets", 0))),
        ngettext("{n} message", "{n} messages", counts.get("messages", 0)).format(n=number(counts.get("messages", 0))),
        ngettext("{n} attachment", "{n} attachments", counts.get("attachments", 0)).format(
            n=number(counts.get("attachments", 0))),
        ngettext("{n} event", "{n} events", counts.get("events", 0)).format(n=number(counts.get("events", 0))),
        ngettext("{n} other row", "{n} other rows", other).format(n=number(other)),
    )
    print(_("Copied {counts} to {target}").format(counts=", ".join(parts), target=redact_url(str(location))))
    return 0


def _progress(table: str, rows: int) -> None:
    print("\r\033[K" + ngettext("Copying {table}: {n} row", "Copying {table}: {n} rows", rows).format(
        table=table, n=number(rows)), end="", file=sys.stderr, flush=True)
