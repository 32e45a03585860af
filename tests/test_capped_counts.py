"""Counts that stop at a cap (issue 16): the inbox's totals and the top line's status counts
are exact up to queries.COUNT_CAP and "at least" past it; a search shows the tickets of its
newest matches and says when there were more (store/search_hits.py)."""

from __future__ import annotations

import pytest

from tui_desk.store import queries, search_hits
from tui_desk.store.queries import InboxFilter, Total

pytestmark = pytest.mark.both_backends


def test_view_count_is_exact_up_to_the_cap_and_at_least_the_cap_past_it(service, make_ticket) -> None:
    ids = [make_ticket("new") for _ in range(5)]
    service.resolve(ids[0])
    everything = InboxFilter(view="all")
    assert queries.inbox_total(service.store, everything, cap=5) == Total(5)
    assert queries.inbox_total(service.store, everything, cap=4) == Total(4, capped=True)
    assert queries.inbox_total(service.store, everything, cap=4).at_least
    resolved = InboxFilter(view="status", statuses=("resolved",))
    assert queries.inbox_total(service.store, resolved, cap=1) == Total(1)
    # The rows are all there past the cap: the inbox scrolls on to them.
    assert len(queries.inbox_page(service.store, everything, 0, 50)) == 5


def test_status_counts_stop_past_the_cap(service, make_ticket) -> None:
    for _ in range(4):
        make_ticket("new")
    make_ticket("resolved")
    exact = queries.status_counts(service.store)
    assert queries.status_counts_upto(service.store, cap=10) == exact
    capped = queries.status_counts_upto(service.store, cap=2)
    assert capped["new"] == 3  # cap + 1: "more than 2"
    assert capped["resolved"] == 1 and capped["spam"] == 0
    assert set(capped) == set(exact)


def test_the_selected_tickets_place_is_found_up_to_the_position_cap(service, make_ticket, monkeypatch) -> None:
    ids = [make_ticket("new") for _ in range(4)]
    everything = InboxFilter(view="all")
    order = [row.id for row in queries.inbox_page(service.store, everything, 0, 50)]
    assert queries.inbox_position(service.store, everything, order[3]) == 3
    monkeypatch.setattr(queries, "POSITION_CAP", 2)
    assert queries.inbox_position(service.store, everything, order[2]) == 2
    assert queries.inbox_position(service.store, everything, order[3]) is None  # too deep: start at the top
    assert sorted(order) == sorted(ids)


def test_a_common_word_shows_the_tickets_of_its_newest_matches_and_says_there_are_more(
    service, monkeypatch
) -> None:
    ids = [
        service.create_ticket(email=f"c{n}@example.com", name=f"C {n}", subject=f"Order {n}", body="parcel lost")
        for n in range(6)
    ]
    rare = service.create_ticket(email="r@example.com", name="R", subject="Question", body="a kumquat")
    search = InboxFilter(view="all", search="parcel")
    assert queries.inbox_total(service.store, search) == Total(6)
    assert queries.inbox_total(service.store, InboxFilter(view="all", search="kumquat")) == Total(1)
    assert queries.inbox_total(service.store, InboxFilter(view="all", search="zebra")) == Total(0)
    monkeypatch.setattr(search_hits, "SEARCH_HITS", 4)
    found = {row.id for row in queries.inbox_page(service.store, search, 0, 50)}
    assert found == set(ids[2:])  # the four newest matches
    assert queries.inbox_total(service.store, search) == Total(4, more_matches=True)
    # A new match is found at once: the hits are read again when the store changes.
    newer = service.create_ticket(email="n@example.com", name="N", subject="Order new", body="parcel late")
    assert newer in {row.id for row in queries.inbox_page(service.store, search, 0, 50)}
    assert rare not in found
    # A prefix still finds what it begins, also past the limit.
    assert {row.id for row in queries.inbox_page(service.store, InboxFilter(view="all", search="kumq"), 0, 50)} == {rare}


def test_a_rare_word_is_found_however_old_its_match_is(service, monkeypatch) -> None:
    # PostgreSQL looks among the newest rows first and widens the range until it has enough
    # matches or the whole table (store/pg_search_hits.py): the oldest ticket is reached too.
    oldest = service.create_ticket(email="o@example.com", name="O", subject="Old order", body="a kumquat, twice")
    later = [
        service.create_ticket(email=f"c{n}@example.com", name=f"C {n}", subject=f"Order {n}", body="parcel lost")
        for n in range(30)
    ]
    monkeypatch.setattr(search_hits, "SEARCH_HITS", 1)
    assert {row.id for row in queries.inbox_page(service.store, InboxFilter(view="all", search="kumquat"), 0, 50)} == {oldest}
    assert queries.inbox_total(service.store, InboxFilter(view="all", search="old")) == Total(1)
    newest = {row.id for row in queries.inbox_page(service.store, InboxFilter(view="all", search="parcel"), 0, 50)}
    assert newest == {later[-1]}
    assert queries.inbox_total(service.store, InboxFilter(view="all", search="parcel")) == Total(1, more_matches=True)


def test_a_search_leaves_the_servers_memory_setting_as_it_found_it(service, backend: str) -> None:
    # The search raises work_mem for its own statements only (store/pg_search_hits.py).
    if backend != "postgresql":
        pytest.skip("work_mem is PostgreSQL's")
    service.create_ticket(email="a@example.com", name="A", subject="Order", body="parcel lost")
    service.store.conn.execute("SET work_mem = '256kB'")
    assert {row.id for row in queries.inbox_page(service.store, InboxFilter(view="all", search="parcel"), 0, 50)}
    assert service.store.scalar("SHOW work_mem") == "256kB"
