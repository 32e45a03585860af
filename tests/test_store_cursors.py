"""A statement's result stays readable, whole, while the store runs others on the same connection.

Store code reads one result while it writes (`for row in conn.execute(...)`: an UPDATE per
row). On PostgreSQL one psycopg cursor serves statement after statement, its small results
read at once and a long result keeping a cursor of its own (store/pg_connection.py,
docs/issue16/pg-import.md): a result that the next statement overwrote would lose rows or
give another statement's rows, silently.
"""

from __future__ import annotations

import pytest

from tui_desk.store import Store

pytestmark = pytest.mark.both_backends

NUMBERS = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?) SELECT x, x * 2 AS twice FROM n"


@pytest.mark.parametrize("count", [1, 3, 64, 65, 300])
def test_a_result_is_read_whole_while_other_statements_run(store: Store, count: int) -> None:
    conn = store.conn
    read = []
    for x, twice in conn.execute(NUMBERS, [count]):
        (plus_one,) = conn.execute("SELECT ? + 1", [x]).fetchone()
        assert conn.execute("SELECT x FROM (SELECT 1 AS x) AS t WHERE x = 2").fetchone() is None
        read.append((x, twice, plus_one))
    assert read == [(x, 2 * x, x + 1) for x in range(1, count + 1)]

    first = conn.execute(NUMBERS, [count])
    second = conn.execute(NUMBERS, [count + 2])
    assert first.fetchone() == (1, 2)
    assert [row[0] for row in second.fetchall()] == list(range(1, count + 3))
    assert first.fetchall() == [(x, 2 * x) for x in range(2, count + 1)]
    assert first.fetchone() is None


def test_names_ids_and_counts_of_statements(store: Store) -> None:
    conn = store.conn
    empty = conn.execute("SELECT id, name AS tag_name FROM tags WHERE name = ?", ["none such"])
    later = conn.execute("SELECT count(*) FROM tags")
    assert [column[0] for column in empty.description] == ["id", "tag_name"]
    assert empty.fetchall() == []
    assert later.fetchone() == (0,)

    inserted = conn.execute("INSERT INTO tags(name) VALUES (?)", ["billing"])
    assert inserted.description is None
    assert inserted.fetchall() == []
    tag_id = inserted.lastrowid
    assert conn.execute("SELECT name FROM tags WHERE id = ?", [tag_id]).fetchone() == ("billing",)
    conn.execute("INSERT INTO tags(name) VALUES (?)", ["sales"])

    before = conn.total_changes
    updated = conn.execute("UPDATE tags SET name = name || '!' WHERE name IN (?, ?)", ["billing", "sales"])
    assert updated.rowcount == 2
    assert conn.total_changes == before + 2
    conn.execute("SELECT name FROM tags").fetchall()
    assert conn.total_changes == before + 2
