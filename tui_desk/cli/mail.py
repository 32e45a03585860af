"""The mail subcommands of `tui-desk` (hooked into cli.py).

    tui-desk import [--restore] PATH...         mbox files, Maildir folders, .eml files; --restore: our exports
    tui-desk fetch [--watch]                    new mail from the [[mail.imap]] accounts
    tui-desk send [--json]                      e-mail the queued replies ([mail.smtp])
    tui-desk outbox                             replies not sent yet, with their errors
    tui-desk export --format mbox|json PATH [--status S,..] [--since DATE] [--force]

fetch and send run in one process at a time (core/jobs.py): while another tui-desk does
it, they say so in one line and exit 0.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from ..core.config import Config
from ..core.jobs import FETCH_MAIL, SEND_OUTBOX, exclusive, skipped_line
from ..core.lifecycle import TicketService
from ..domain.errors import InvalidInput
from ..domain.private_files import FILE_MODE, private_umask
from ..domain.text import json_text, one_line
from ..i18n import _, ngettext, number
from ..mail.settings import MailSettings, mail_settings

COMMANDS = ("import", "fetch", "send", "outbox", "export")


def add_parsers(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    p = command("import", _("import mail: mbox files, Maildir folders, .eml files or a JSON export"))
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--quiet", action="store_true", help=_("no progress bar"))
    p.add_argument("--restore", action="store_true", help=_(
        "restore tui-desk exports of your own (a JSON backup, or an mbox export with its statuses, notes and "
        "authors); without it, mail headers never change a ticket"))
    p.add_argument("--trust-own-address", action="store_true", help=_(
        "mail From one of the [mail] addresses is an agent reply (only for mail you know the desk sent)"))

    p = command("fetch", _("fetch new mail from the IMAP accounts of the config file"))
    p.add_argument("--watch", action="store_true", help=_("keep fetching every `interval` seconds"))

    p = command("send", _("e-mail the replies waiting in the outbox"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))

    p = command("outbox", _("replies not sent yet, with their last error"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))

    p = command("export", _("export tickets: JSON is the full backup (import --restore); mbox is for mail programs"))
    p.add_argument("path", metavar="PATH")
    p.add_argument("--format", choices=("mbox", "json"), default="json")
    p.add_argument("--status", help=_("only tickets in these statuses (comma-separated)"))
    p.add_argument("--since", metavar="DATE", help=_("only tickets created on or after this date"))
    p.add_argument("--force", action="store_true", help=_("replace PATH if it exists"))


def settings_of(config: Config) -> MailSettings:
    return mail_settings(config.raw)


def reply_options(config: Config) -> dict:
    """Arguments for TicketService.reply: queue the reply for e-mail when [mail.smtp] is set."""
    from ..mail.outbox import reply_options as options

    return options(settings_of(config))


def mail_command(args: argparse.Namespace, service: TicketService, config: Config) -> int:
    settings = settings_of(config)
    if args.command == "import":
        return _import(args, service, settings)
    if args.command == "fetch":
        return _fetch(args, service, settings)
    if args.command == "send":
        from ..mail.outbox import send_due

        if settings.smtp is None:
            raise InvalidInput(_("No SMTP server in the config file: add a [mail.smtp] table"))
        with exclusive(service.store, SEND_OUTBOX) as lease:
            if lease is None:
                return _skipped(SEND_OUTBOX, args.json, {"sent": 0, "failed": 0, "errors": []})
            result = send_due(service.store, settings, clock=service.clock)
        if args.json:
            print(json.dumps({"sent": result.sent, "failed": result.failed, "errors": result.errors}))
        else:
            sent = ngettext("{n} sent", "{n} sent", result.sent).format(n=number(result.sent))
            failed = ngettext("{n} failed (kept in the outbox)", "{n} failed (kept in the outbox)", result.failed)
            print(sent + ", " + failed.format(n=number(result.failed)))
            for outbox_id, error in result.errors or ():
                print(f"  #{outbox_id}: {one_line(error)}", file=sys.stderr)
        return 0 if not result.failed else 2
    if args.command == "outbox":
        from ..mail.outbox import outbox_rows

        rows = outbox_rows(service.store)
        if args.json:
            print(json_text(rows))
        else:
            for r in rows:
                error = one_line(r["last_error"] or "")
                print(f"#{r['ticket_id']:<6} {r['status']:<8} {r['attempts']:>2} {r['next_attempt_at']}  {error}")
        return 0
    if args.command == "export":
        from ..mail.export import chosen_tickets, export_json, export_mbox

        # Checked as `list` and `report` check theirs: a typo must not make a backup of
        # nothing (an unknown status) or of everything (a date compared as text).
        statuses = [_status_key(service, s) for s in (args.status or "").split(",") if s.strip()]
        ids = chosen_tickets(service.store, statuses, _since_text(args.since, service))
        path = Path(args.path).expanduser()
        _check_export_target(path, Path(service.store.path), args.format, args.force)
        # Written beside the file and renamed over it once whole, so a kill or a full disk
        # never leaves a replaced backup half written (not for /dev/stdout, a FIFO, ...).
        whole = not path.exists() or path.is_file()
        target = path.with_name(f".{path.name}.partial") if whole else path
        try:
            # An export is customer mail: only its owner may read it, whatever the umask.
            with private_umask():
                if args.format == "json":
                    count = export_json(service.store, target, ids)
                else:
                    ours = settings.smtp.sender if settings.smtp else (settings.our_addresses or ("help@tui-desk.invalid",))[0]
                    count = export_mbox(service.store, target, ids, ours)
            if whole:
                os.chmod(target, FILE_MODE)
                os.replace(target, path)
        except OSError as error:
            if error.filename == str(target):
                error.filename = str(path)  # the user asked for this name, not ours beside it
            raise
        finally:
            if whole:
                target.unlink(missing_ok=True)
        if args.format == "json":
            print(ngettext("Exported {n} ticket to {path}", "Exported {n} tickets to {path}", count).format(n=number(count), path=one_line(str(path))))
        else:
            print(ngettext("Exported {n} message of {t} tickets to {path}", "Exported {n} messages of {t} tickets to {path}", count)
                  .format(n=number(count), t=number(len(ids)), path=one_line(str(path))))
        return 0
    return 1


def _skipped(job: str, as_json: bool = False, empty: dict | None = None) -> int:
    """Another tui-desk holds `job` (core/jobs.py): one line, and success, for a cron job that ran too."""
    if as_json:
        print(json.dumps({**(empty or {}), "skipped": skipped_line(job)}))
    else:
        print(skipped_line(job))
    return 0


def _status_key(service: TicketService, word: str) -> str:
    definition = service.find_status(word)
    return definition.key if definition else service.status_def(word.strip()).key  # unknown: one line


def _since_text(since: str | None, service: TicketService) -> str | None:
    """--since as the stored form of that day's start (UTC): a date, or 30d / 4w back."""
    from datetime import UTC, datetime, time

    from ..core.reports import parse_day
    from ..domain.clock import to_text

    day = parse_day(since, service.clock().astimezone(UTC).date(), end=False)
    return to_text(datetime.combine(day, time.min, tzinfo=UTC)) if day else None


def _check_export_target(path: Path, store: Path, fmt: str, force: bool) -> None:
    """Refuse a target whose contents an export would destroy.

    The mbox writer deletes the file first and the JSON writer truncates it: pointed at
    the store (a slip of --db and PATH), either wipes every ticket. Any other existing
    file is replaced only when asked, and a device or pipe never gets unlinked.
    """
    resolved = path.resolve()
    # The -wal and -journal names too, even absent: SQLite would read them as its own.
    store_files = {Path(f"{store.resolve()}{suffix}") for suffix in ("", "-wal", "-shm", "-journal")}
    if resolved in store_files or any(_same_file(path, other) for other in store_files):
        raise InvalidInput(_("{path} is the store itself: export to another file").format(path=one_line(str(path))))
    if not os.path.lexists(path):
        return
    if fmt == "mbox" and not path.is_file():
        raise InvalidInput(_("{path} is not a regular file: an mbox export needs one").format(path=one_line(str(path))))
    if path.is_file() and not force:
        raise InvalidInput(
            _("{path} already exists: choose a new file, or add --force to replace it").format(path=one_line(str(path)))
        )


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _report(summary, *, fetched: bool = False) -> None:  # noqa: ANN001
    # Fetched mail that was not stored was not flagged either: say where it waits.
    line = _("not stored, left unseen on the server: {where}: {why}") if fetched else _("skipped {where}: {why}")
    for where, why in summary.skipped:
        print(line.format(where=one_line(where), why=one_line(why)), file=sys.stderr)
    print(summary.line())


def _restored_line(tickets: int, messages: int, already: int) -> str:
    # One plural-aware part per count: a single sentence with three counts cannot agree with each.
    parts = (
        (ngettext("{n} ticket restored", "{n} tickets restored", tickets), tickets),
        (ngettext("{n} message restored", "{n} messages restored", messages), messages),
        (ngettext("{n} already there", "{n} already there", already), already),
    )
    return ", ".join(part.format(n=number(count)) for part, count in parts)


_NAMED = 5  # files named in the "not mail" line; the count says how many there were


def _import(args: argparse.Namespace, service: TicketService, settings: MailSettings) -> int:
    from ..mail.export import import_json, is_json_export
    from ..mail.importer import Importer, find_sources

    paths = [Path(p).expanduser() for p in args.paths]
    backups = [p for p in paths if p.is_file() and is_json_export(p)]
    if backups and not args.restore:
        # A JSON export sets everything (statuses, authors, the timeline): only on an explicit restore.
        raise InvalidInput(
            _("{path} is a tui-desk JSON export (a backup): restore it with `tui-desk import --restore {path}`").format(
                path=backups[0]
            )
        )
    for path in backups:
        tickets, messages, already = import_json(service.store, path)
        print(f"{one_line(str(path))}: " + _restored_line(tickets, messages, already))
    paths = [p for p in paths if p not in backups]
    if not paths:
        return 0
    not_mail: list[Path] = []
    sources = find_sources(paths, not_mail)
    if not_mail:
        # Said before the import: a folder that holds no mail at all would otherwise import nothing silently.
        names = ", ".join(one_line(str(p)) for p in not_mail[:_NAMED])
        print(ngettext("{n} file skipped, not mail: {names}", "{n} files skipped, not mail: {names}", len(not_mail)).format(
            n=number(len(not_mail)), names=names + (", …" if len(not_mail) > _NAMED else "")), file=sys.stderr)
    total = sum(s.count() for s in sources)
    options = {
        "restore": args.restore,
        "trust_own_address": args.trust_own_address or settings.trusts_own_address(),
    }
    if args.quiet or total < 200 or not sys.stderr.isatty():
        summary = Importer(service, settings.our_addresses, **options).run_sources(sources, total)
    else:
        from rich.progress import Progress

        with Progress(transient=True) as progress:
            task = progress.add_task(_("Importing"), total=total)
            importer = Importer(
                service, settings.our_addresses, progress=lambda n: progress.advance(task, n), **options
            )
            summary = importer.run_sources(sources, total)
    _report(summary)
    if summary.restore_headers_ignored:
        print(ngettext("{n} message carries tui-desk export headers (status, notes, authors), ignored: to restore "
                       "an export of your own, use `tui-desk import --restore`",
                       "{n} messages carry tui-desk export headers (status, notes, authors), ignored: to restore an "
                       "export of your own, use `tui-desk import --restore`",
                       summary.restore_headers_ignored).format(n=number(summary.restore_headers_ignored)),
              file=sys.stderr)
    if summary.unverified_own_address:
        print(ngettext("{n} message From our own addresses was kept as a customer message and flagged: if the desk "
                       "sent it, import with --trust-own-address",
                       "{n} messages From our own addresses were kept as customer messages and flagged: if the desk sent "
                       "them, import with --trust-own-address",
                       summary.unverified_own_address).format(n=number(summary.unverified_own_address)), file=sys.stderr)
    return 0


def _fetch(args: argparse.Namespace, service: TicketService, settings: MailSettings) -> int:
    from ..mail.imap import fetch_all

    if not settings.imap:  # said before waiting for the job: a skip would hide it
        raise InvalidInput(_("No IMAP account in the config file: add a [[mail.imap]] table"))
    while True:
        with exclusive(service.store, FETCH_MAIL) as lease:
            if lease is None:
                _skipped(FETCH_MAIL)
            else:
                for account, summary in fetch_all(service, settings):
                    where = f"{account.server.user}@{account.server.host}/{account.folder}"
                    print(f"{one_line(where)}: ", end="")  # the config's text: no escape reaches the terminal
                    _report(summary, fetched=True)
        if not args.watch:
            return 0
        sys.stdout.flush()
        time.sleep(min(a.interval for a in settings.imap))
