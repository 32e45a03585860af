"""Saved views: a named filter + search + sort of the inbox, kept in the config file.

    [views."my urgent"]
    status = "attention"        # attention, all, or a status: answered, postponed, a custom status key
    assignee = "me"             # an agent's name, "me" (whoever runs tui-desk) or "-" (unassigned)
    search = "invoice"          # full-text search of subjects and messages
    department = "Billing"
    tag = "vip"
    priority = "urgent"         # urgent, high, normal or low
    order = "sla"               # inbox (priority, then waiting time; the default) or sla (nearest due first)

Every key but the table's name may be left out. A broken entry (an unknown key,
a value of the wrong type, an unknown order or priority) is reported as one line naming the
view and skipped; the other views still load.

Writing a view changes only its own table: the rest of the file, comments
included, is kept as it was (tomlkit edits the document in place). The new text
is read back and compared before it replaces the old file, atomically.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..domain.errors import InvalidInput, NotFound
from ..domain.models import PRIORITY_ORDER, priority_label
from ..domain.text import one_line
from ..i18n import _, ngettext
from ..store.queries import VIEW_ALL, VIEW_ATTENTION, InboxFilter
from .config import config_path, load_config, read_config_to_edit, write_config_checked

if TYPE_CHECKING:
    from tomlkit import TOMLDocument

TABLE = "views"
ME = "me"  # the assignee "me": the agent who runs tui-desk (--as, $TUI_DESK_AGENT, agent = ...)
UNASSIGNED = "-"
ORDERS = ("inbox", "sla")
KEYS = ("status", "search", "assignee", "department", "tag", "priority", "order")
MAX_NAME = 40


@dataclass(frozen=True)
class SavedView:
    """One saved view. `assignee` is kept as written: "me" is resolved when the view is used."""

    name: str
    status: str = VIEW_ATTENTION  # "attention", "all" or one status key
    search: str | None = None
    assignee: str | None = None
    department: str | None = None
    tag: str | None = None
    order: str = "inbox"
    priority: str | None = None  # after order: views are also built positionally

    @classmethod
    def from_filter(cls, name: str, flt: InboxFilter, me: str) -> SavedView:
        """The view that shows what `flt` shows; the agent `me` is saved as "me"."""
        if len(flt.statuses) == 1:
            status = flt.statuses[0]
        elif flt.statuses:
            raise InvalidInput(_("Only one status can be saved in a view"))
        else:
            status = VIEW_ATTENTION if flt.view == VIEW_ATTENTION else VIEW_ALL
        return cls(
            name=name,
            status=status,
            search=flt.search or None,
            assignee=ME if flt.assignee is not None and flt.assignee == me else flt.assignee or None,
            department=flt.department or None,
            tag=flt.tag or None,
            priority=flt.priority or None,
            order=flt.order if flt.order in ORDERS else "inbox",
        )

    def inbox_filter(self, me: str) -> InboxFilter:
        """What the inbox shows for this view when `me` is the agent."""
        if self.status == VIEW_ATTENTION:
            flt = InboxFilter(view=VIEW_ATTENTION)
        elif self.status == VIEW_ALL:
            flt = InboxFilter(view=VIEW_ALL)
        else:
            flt = InboxFilter(view="status", statuses=(self.status,))
        return flt.with_(
            search=self.search,
            assignee=me if self.assignee == ME else self.assignee,
            department=self.department,
            tag=self.tag,
            priority=self.priority,
            order=self.order,
        )

    def to_table(self) -> dict[str, str]:
        """The view's settings as they are written to the config file (unset ones left out)."""
        table = {"status": self.status}
        for key in ("search", "assignee", "department", "tag", "priority"):
            value = getattr(self, key)
            if value is not None:
                table[key] = value
        if self.order != "inbox":
            table["order"] = self.order
        return table

    def describe(self, status_label: Callable[[str], str]) -> str:
        """One line for people: "Needs attention · assignee me · by SLA due"."""
        if self.status == VIEW_ATTENTION:
            parts = [_("Needs attention")]
        elif self.status == VIEW_ALL:
            parts = [_("All")]
        else:
            parts = [status_label(self.status)]
        if self.search:
            parts.append(_("search “{q}”").format(q=one_line(self.search, 30)))
        if self.assignee == ME:
            parts.append(_("assignee {a}").format(a=_("me")))
        elif self.assignee:
            parts.append(
                _("assignee {a}").format(a=_("unassigned") if self.assignee == UNASSIGNED else one_line(self.assignee))
            )
        if self.department:
            parts.append(_("department {d}").format(d=one_line(self.department)))
        if self.tag:
            parts.append(_("tag {t}").format(t=one_line(self.tag)))
        if self.priority:
            parts.append(_("priority {p}").format(p=priority_label(self.priority)))
        if self.order == "sla":
            parts.append(_("by SLA due"))
        return " · ".join(parts)


@dataclass(frozen=True)
class SavedViews:
    """The views of a config file, in file order, and one line for each entry that was skipped."""

    views: tuple[SavedView, ...] = ()
    problems: tuple[str, ...] = ()
    broken: Mapping[str, str] = field(default_factory=dict)  # name of a skipped view → its problem

    @property
    def names(self) -> list[str]:
        return [view.name for view in self.views]

    def get(self, name: str) -> SavedView | None:
        """The view of that name; else the one view whose name matches ignoring case."""
        for view in self.views:
            if view.name == name:
                return view
        folded = [view for view in self.views if view.name.casefold() == name.strip().casefold()]
        return folded[0] if len(folded) == 1 else None

    def find(self, name: str) -> SavedView:
        """The view of that name, or an error that says why there is none."""
        view = self.get(name)
        if view is not None:
            return view
        if name in self.broken:
            raise InvalidInput(self.broken[name])
        if self.views:
            raise NotFound(
                _("No saved view “{name}” (saved views: {names})").format(
                    name=one_line(name), names=", ".join(one_line(n) for n in self.names)
                )
            )
        raise NotFound(_("No saved view “{name}”: there are no saved views yet").format(name=one_line(name)))


def check_name(name: str) -> str:
    """A usable view name (trimmed), or InvalidInput saying what is wrong with it."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidInput(_("A saved view needs a name"))
    if len(cleaned) > MAX_NAME:
        raise InvalidInput(ngettext("Give a shorter name (at most {n} character)", "Give a shorter name (at most {n} characters)", MAX_NAME).format(
            n=MAX_NAME
        ))
    return cleaned


def _text(table: Mapping[str, Any], key: str, problem: Callable[[str], str]) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(problem(_("{key} must be text").format(key=key)))
    return value.strip() or None


def _parse_view(name: str, table: object) -> SavedView:
    def problem(text: str) -> str:
        return _("Saved view “{name}”: {problem}").format(name=one_line(name), problem=text)

    if not name.strip():
        raise InvalidInput(_("A saved view has an empty name"))
    if not isinstance(table, Mapping):
        raise InvalidInput(problem(_('it must be a table of settings, e.g. status = "attention"')))
    unknown = [key for key in table if key not in KEYS]
    if unknown:
        raise InvalidInput(
            problem(_("unknown setting “{key}” (known: {keys})").format(key=one_line(unknown[0]), keys=", ".join(KEYS)))
        )
    status = _text(table, "status", problem)
    order = _text(table, "order", problem)
    if order is not None and order.lower() not in ORDERS:
        raise InvalidInput(problem(_("order must be inbox or sla, not “{value}”").format(value=one_line(order, 20))))
    priority = _text(table, "priority", problem)
    if priority is not None and priority.lower() not in PRIORITY_ORDER:
        raise InvalidInput(problem(_("priority must be urgent, high, normal or low, not “{value}”").format(
            value=one_line(priority, 20))))
    return SavedView(
        name=name,
        status=status.lower() if status else VIEW_ATTENTION,
        search=_text(table, "search", problem),
        assignee=_text(table, "assignee", problem),
        department=_text(table, "department", problem),
        tag=_text(table, "tag", problem),
        priority=priority.lower() if priority else None,
        order=order.lower() if order else "inbox",
    )


def parse_views(raw: Mapping[str, Any] | None) -> SavedViews:
    """The saved views of a config (what ``tomllib.loads`` gives); broken entries are skipped and named."""
    section = (raw or {}).get(TABLE)
    if section is None:
        return SavedViews()
    if not isinstance(section, Mapping):
        return SavedViews(problems=(_('views must be a table of named views, e.g. [views."my urgent"]'),))
    views: list[SavedView] = []
    problems: list[str] = []
    broken: dict[str, str] = {}
    for name, table in section.items():
        try:
            views.append(_parse_view(name, table))
        except InvalidInput as error:
            problems.append(_("{problem}; skipped").format(problem=error))
            broken[name] = str(error)
    return SavedViews(tuple(views), tuple(problems), broken)


def read_views(path: Path | None = None) -> SavedViews:
    """The saved views of the config file; an unreadable or broken file raises InvalidInput."""
    return parse_views(load_config(path or config_path()).raw)


# -- writing -------------------------------------------------------------------------------
def save_view(view: SavedView, path: Path | None = None) -> Path:
    """Add or replace `view` in the config file, keeping everything else; returns the file."""
    return _rewrite(path or config_path(), check_name(view.name), view)


def remove_view(name: str, path: Path | None = None) -> Path:
    """Remove the view called `name` from the config file, keeping everything else."""
    return _rewrite(path or config_path(), name, None)


def _rewrite(path: Path, name: str, view: SavedView | None) -> Path:
    expected, document = read_config_to_edit(path)
    views = document.get(TABLE)
    if views is not None and not (isinstance(views, MutableMapping) and isinstance(expected.get(TABLE), dict)):
        raise InvalidInput(
            _("In {path}: {problem}").format(
                path=path, problem=_('views must be a table of named views, e.g. [views."my urgent"]')
            )
        )
    if view is None and (views is None or name not in views):
        raise NotFound(_("No saved view “{name}”").format(name=one_line(name)))
    return write_config_checked(lambda: _edited(document, views, name, view, expected), expected, path)


def _edited(
    document: TOMLDocument,
    views: MutableMapping[str, Any] | None,
    name: str,
    view: SavedView | None,
    expected: dict[str, Any],
) -> str:
    """The document's text with the view replaced (or removed); `expected` gets the same change."""
    import tomlkit
    from tomlkit.items import InlineTable, Table

    if view is None:
        assert views is not None
        del views[name]
        del expected[TABLE][name]
        if not views:
            del document[TABLE]
            del expected[TABLE]
        return tomlkit.dumps(document)
    table: Table | InlineTable
    if isinstance(views, InlineTable):  # views = { ... } stays one line
        table = tomlkit.inline_table()
        table.update(view.to_table())
    else:
        table = tomlkit.table()
        for key, value in view.to_table().items():
            table.add(key, value)
        table.add(tomlkit.nl())
    if views is None:
        if document.body:
            document.add(tomlkit.nl())
        views = tomlkit.table(is_super_table=True)
        document.add(TABLE, views)
    views[name] = table
    expected.setdefault(TABLE, {})[name] = view.to_table()
    return tomlkit.dumps(document)
