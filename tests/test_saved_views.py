"""Saved views in the config file: parsing and checking, the filter they stand for, writing that keeps the rest."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from tui_desk.core.lifecycle import TicketService
from tui_desk.core.saved_views import (
    SavedView,
    check_name,
    parse_views,
    read_views,
    remove_view,
    save_view,
)
from tui_desk.domain.errors import InvalidInput, NotFound
from tui_desk.store import Store, queries
from tui_desk.store.queries import InboxFilter

pytestmark = pytest.mark.both_backends

HAND_WRITTEN = """\
# My tui-desk config. Comments matter to me.
language = "et"  # Estonian
agent = "alice"

[sla]
first_response = "8h"   # the promise
near = "25%"
[sla.hours]
days = "mon-fri"
holidays = ["2026-12-24", "2026-12-25"]

[[sla.policy]]
department = "Billing"
priority = "urgent"
first_response = "30m"

[mail]
addresses = ["support@example.com"]
[mail.smtp]
host = "localhost"
port = 2525

# Saved views below
[views."billing waiting on us"]
status = "attention"
department = "Billing"   # only Billing

[rules]
auto_resolve_after = "5d"
"""


def config(tmp_path: Path, text: str = HAND_WRITTEN) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


class TestParse:
    def test_every_setting(self) -> None:
        saved = parse_views(tomllib.loads("""
            [views."my urgent"]
            status = "Attention"
            search = "  invoice "
            assignee = "me"
            department = "Billing"
            tag = "vip"
            order = "SLA"
        """))
        assert saved.problems == ()
        assert saved.views == (
            SavedView("my urgent", "attention", "invoice", "me", "Billing", "vip", "sla"),
        )

    def test_only_a_name_is_needs_attention_in_inbox_order(self) -> None:
        saved = parse_views({"views": {"plain": {}}})
        assert saved.views == (SavedView("plain"),)
        assert saved.views[0].inbox_filter("alice") == InboxFilter(view="attention")

    def test_the_filters_they_stand_for(self) -> None:
        assert SavedView("a", status="all", assignee="me", order="sla").inbox_filter("bob") == InboxFilter(
            view="all", assignee="bob", order="sla"
        )
        assert SavedView("b", status="answered", assignee="-", tag="vip").inbox_filter("bob") == InboxFilter(
            view="status", statuses=("answered",), assignee="-", tag="vip"
        )
        assert SavedView("c", assignee="mia", search="vpn").inbox_filter("bob") == InboxFilter(
            view="attention", assignee="mia", search="vpn"
        )

    @pytest.mark.parametrize(
        ("table", "problem"),
        [
            ({"order": "fastest"}, "Saved view “broken”: order must be inbox or sla, not “fastest”; skipped"),
            ({"priority": "asap"}, "Saved view “broken”: priority must be urgent, high, normal or low, not “asap”; skipped"),
            ({"search": 3}, "Saved view “broken”: search must be text; skipped"),
            ({"assignee": ["a", "b"]}, "Saved view “broken”: assignee must be text; skipped"),
            ({"status": True}, "Saved view “broken”: status must be text; skipped"),
            (
                {"serach": "vpn"},
                "Saved view “broken”: unknown setting “serach” (known: status, search, assignee, department, tag, priority, order); skipped",
            ),
            ("attention", 'Saved view “broken”: it must be a table of settings, e.g. status = "attention"; skipped'),
        ],
    )
    def test_a_broken_entry_is_named_and_skipped_the_others_load(self, table: object, problem: str) -> None:
        saved = parse_views({"views": {"first": {"tag": "a"}, "broken": table, "last": {"tag": "b"}}})
        assert saved.names == ["first", "last"]
        assert saved.problems == (problem,)
        with pytest.raises(InvalidInput) as error:
            saved.find("broken")
        assert str(error.value) == problem.removesuffix("; skipped")

    def test_views_that_is_not_a_table(self) -> None:
        saved = parse_views({"views": 3})
        assert saved.views == ()
        assert saved.problems == ('views must be a table of named views, e.g. [views."my urgent"]',)

    def test_an_empty_name(self) -> None:
        assert parse_views({"views": {" ": {}}}).problems == ("A saved view has an empty name; skipped",)

    def test_no_views(self) -> None:
        assert parse_views({}).views == () and parse_views(None).problems == ()

    def test_find_by_name(self) -> None:
        saved = parse_views({"views": {"My urgent": {}, "mine": {}, "Mine": {}}})
        assert saved.find("My urgent").name == "My urgent"
        assert saved.find("my URGENT").name == "My urgent"  # one view matches ignoring case
        assert saved.find("Mine").name == "Mine"  # the exact name wins
        with pytest.raises(NotFound, match=r"No saved view “MINE” \(saved views: My urgent, mine, Mine\)"):
            saved.find("MINE")  # two match ignoring case: none is guessed
        with pytest.raises(NotFound, match="there are no saved views yet"):
            parse_views({}).find("x")

    def test_names(self) -> None:
        assert check_name("  my   urgent ") == "my urgent"
        with pytest.raises(InvalidInput, match="needs a name"):
            check_name("   ")
        with pytest.raises(InvalidInput, match="at most 40 characters"):
            check_name("x" * 41)


class TestFromTheInbox:
    @pytest.mark.parametrize(
        "flt",
        [
            InboxFilter(view="attention"),
            InboxFilter(view="all", search="refund", assignee="-", order="sla"),
            InboxFilter(view="status", statuses=("postponed",), department="Billing", tag="vip"),
            InboxFilter(view="attention", assignee="alice"),
            InboxFilter(view="attention", assignee="mia", order="sla"),
        ],
    )
    def test_saving_what_the_inbox_shows_shows_it_again(self, flt: InboxFilter) -> None:
        assert SavedView.from_filter("v", flt, "alice").inbox_filter("alice") == flt

    def test_the_agent_is_saved_as_me(self) -> None:
        view = SavedView.from_filter("mine", InboxFilter(view="all", assignee="alice"), "alice")
        assert view.assignee == "me"
        assert view.inbox_filter("bob").assignee == "bob"  # in bob's hands it is bob's

    def test_description(self) -> None:
        view = SavedView("v", "attention", "invoice", "me", "Billing", "vip", "sla")
        assert view.describe(str.title) == (
            "Needs attention · search “invoice” · assignee me · department Billing · tag vip · by SLA due"
        )
        assert SavedView("v", "answered", assignee="-").describe(str.title) == "Answered · assignee unassigned"


class TestWrite:
    def test_save_keeps_the_rest_of_the_file_comments_included(self, tmp_path: Path) -> None:
        path = config(tmp_path)
        save_view(SavedView("my urgent", assignee="me", order="sla", search='say "hi"'), path)
        text = path.read_text(encoding="utf-8")
        for line in HAND_WRITTEN.splitlines():
            assert line in text.splitlines()
        data = tomllib.loads(text)
        before = tomllib.loads(HAND_WRITTEN)
        assert {k: v for k, v in data.items() if k != "views"} == {k: v for k, v in before.items() if k != "views"}
        assert data["views"] == {
            "billing waiting on us": {"status": "attention", "department": "Billing"},
            "my urgent": {"status": "attention", "search": 'say "hi"', "assignee": "me", "order": "sla"},
        }
        assert [v.name for v in read_views(path).views] == ["billing waiting on us", "my urgent"]

    def test_replace_keeps_its_place(self, tmp_path: Path) -> None:
        path = config(tmp_path)
        save_view(SavedView("billing waiting on us", status="all", department="Billing", tag="refund"), path)
        text = path.read_text(encoding="utf-8")
        assert text.index('[views."billing waiting on us"]') < text.index("[rules]")  # where it was
        assert tomllib.loads(text)["views"] == {
            "billing waiting on us": {"status": "all", "department": "Billing", "tag": "refund"}
        }
        assert "# My tui-desk config. Comments matter to me." in text and "# the promise" in text

    def test_remove(self, tmp_path: Path) -> None:
        path = config(tmp_path)
        save_view(SavedView("second"), path)
        remove_view("billing waiting on us", path)
        assert tomllib.loads(path.read_text())["views"] == {"second": {"status": "attention"}}
        remove_view("second", path)
        data = tomllib.loads(path.read_text())
        assert "views" not in data  # the last one gone: no empty table left
        assert data["sla"]["policy"][0]["first_response"] == "30m" and data["rules"] == {"auto_resolve_after": "5d"}
        with pytest.raises(NotFound, match="No saved view “second”"):
            remove_view("second", path)

    def test_a_new_file(self, tmp_path: Path) -> None:
        path = tmp_path / "new" / "config.toml"
        save_view(SavedView("[bold]x", status="all"), path)
        assert tomllib.loads(path.read_text()) == {"views": {"[bold]x": {"status": "all"}}}
        assert read_views(path).find("[bold]x").status == "all"

    def test_one_line_views_stay_one_line(self, tmp_path: Path) -> None:
        path = config(tmp_path, 'views = { a = { status = "all" } }\n')
        save_view(SavedView("b", tag="x"), path)
        assert path.read_text().count("\n") == 1
        assert tomllib.loads(path.read_text())["views"] == {"a": {"status": "all"}, "b": {"status": "attention", "tag": "x"}}

    def test_a_broken_file_is_left_alone(self, tmp_path: Path) -> None:
        path = config(tmp_path, "[sla\nbroken = \n")
        with pytest.raises(InvalidInput, match="is not valid TOML"):
            save_view(SavedView("x"), path)
        assert path.read_text() == "[sla\nbroken = \n"

    def test_views_that_is_not_a_table_is_left_alone(self, tmp_path: Path) -> None:
        path = config(tmp_path, "views = 3\n")
        with pytest.raises(InvalidInput, match="views must be a table"):
            save_view(SavedView("x"), path)
        assert path.read_text() == "views = 3\n"

    def test_a_folder_that_cannot_be_written(self, tmp_path: Path) -> None:
        blocker = tmp_path / "file"
        blocker.write_text("")
        with pytest.raises(InvalidInput, match="Cannot (read|write) the config file"):
            save_view(SavedView("x"), blocker / "config.toml")


def test_a_saved_view_lists_the_tickets_it_stands_for(
    store: Store, service: TicketService, make_ticket: Callable[..., int]
) -> None:
    """The filter of a view is the inbox's own filter: same tickets, same order, whoever "me" is."""
    mine = make_ticket("open", subject="VPN down", priority="low")
    urgent = make_ticket("new", subject="VPN slow", priority="urgent")
    make_ticket("answered", subject="VPN question")
    make_ticket("new", subject="Printer")
    service.assign(mine, "alice")
    service.assign(urgent, "alice")
    view = parse_views({"views": {"mine": {"assignee": "me", "search": "vpn"}}}).find("mine")
    rows = queries.inbox_page(store, view.inbox_filter("alice"))
    assert [r.id for r in rows] == [urgent, mine]
    assert queries.inbox_page(store, view.inbox_filter("bob")) == []


def test_a_saved_view_keeps_the_priority_filter(
    store: Store, service: TicketService, make_ticket: Callable[..., int], tmp_path: Path
) -> None:
    """`f` → By priority… narrows the inbox; saving that view keeps it (docs/issue17/rest.md)."""
    urgent = make_ticket("new", subject="VPN slow", priority="urgent")
    make_ticket("new", subject="Printer", priority="low")
    flt = InboxFilter(view="attention", priority="urgent")
    assert [r.id for r in queries.inbox_page(store, flt)] == [urgent]
    path = config(tmp_path)
    save_view(SavedView.from_filter("urgent only", flt, "alice"), path)
    view = read_views(path).find("urgent only")
    assert view.priority == "urgent" and view.inbox_filter("alice") == flt
    assert "priority urgent" in view.describe(str)
    assert parse_views({"views": {"u": {"priority": "URGENT"}}}).find("u").priority == "urgent"
