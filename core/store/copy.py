"""Moving a SQLite box office into an empty PostgreSQL database (`boxoffice db copy`).

The target is migrated like any PostgreSQL box office (the baseline, then later steps)
and must hold nothing but what that migration seeds. Then one write transaction on the
target deletes the seed rows and copies every table the two schemas share, with their
ids, parents before children (the foreign keys read from PostgreSQL's catalog), the
tables' own triggers disabled meanwhile: they would refuse a payment in a shift that is
closed by now, number Z reports afresh and add the gate feed's `ticket_changes` a second
time. Identity sequences are moved past the copied ids. Before it commits, the copy is
checked: every table's row count equals the source's, the journal's chain and pins hold
(`journal.verify_pinned`) and its head is the source's. Anything that fails rolls the
whole copy back and names the table or the check.

The source is read in one read transaction (one moment), but windows still selling on it
after the copy would sell on a database nobody uses any more: stop them first
(docs/postgresql-runbook.md). The settings row `database_id` travels with the data, so
the ticket signing keys filed under it (`<database name>-keys/<database_id>/`) still
sign and check the same codes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from graphlib import CycleError, TopologicalSorter
from itertools import islice

import psycopg

from core.errors import BoxOfficeError
from core.free_text import PATH, clean_text
from core.store import journal
from core.store.db import Database, connect, is_url, read_snapshot, redacted, write
from core.store.schema import migrate, open_database

BATCH = 5_000              # rows read from SQLite at a time
ROWS_PER_INSERT = 250      # rows in one INSERT statement
PARAMETERS = 10_000        # at most, in one statement (PostgreSQL allows 65,535)
# SQLite's own bookkeeping and FTS5's index (PostgreSQL: customers.search, generated)
SQLITE_ONLY = frozenset({"_sqlite_migrations", "sqlite_sequence", "customers_fts",
                         "customers_fts_data", "customers_fts_idx", "customers_fts_docsize",
                         "customers_fts_config"})
POSTGRESQL_ONLY = frozenset({"schema_migrations"})
# The tables a fresh migration fills; every other table of an empty target has no rows.
SEEDED = frozenset({"role_permissions", "price_types", "hold_codes", "settings",
                    "journal_head", "schema_migrations"})


class CopyError(BoxOfficeError):
    code = "copy_failed"


@dataclass(frozen=True)
class CopyResult:
    """What was copied: the target (its URL without the password), the rows of every
    table (the same on both sides), the journal's verified head and the row that
    journals the copy on the target."""
    source: str
    target: str
    tables: dict[str, int]
    journal_rows: int
    head_id: int
    head_hash: str
    copy_row: int

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


@dataclass(frozen=True)
class TablePlan:
    """One table to copy: its name, the columns inserted, the order rows go in."""
    name: str
    columns: tuple[str, ...]        # what is inserted: the target's non-generated columns
    order_by: tuple[str, ...]       # the primary key
    self_refs: tuple[str, ...]      # columns pointing at this table's own `id`


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def copy_database(source: Database, target_url: str, *, actor: str,
                  now: datetime) -> CopyResult:
    """Copy the SQLite box office `source` into the empty PostgreSQL database at
    `target_url` (migrated first), verified before it commits, journaled on the target
    under `actor`. Nothing is written to the target but its migration unless every check
    holds. Raises CopyError (`not_sqlite`, `not_postgresql`, `training`, `target_not_empty`,
    `schema_mismatch`, `copy_failed`, `copy_unverified`), BoxOfficeError
    `database_unavailable` (the target cannot be reached)."""
    if source.engine != "sqlite":
        raise CopyError("the box office to copy is already on PostgreSQL: copy a SQLite "
                        "box office", code="not_sqlite")
    target_name = clean_text(redacted(target_url), "target database", max_length=PATH,
                             required=True)
    if not is_url(target_url):
        raise CopyError(f"{target_name} is not a PostgreSQL URL "
                        "(postgresql://user@host/database)", code="not_postgresql")
    who = clean_text(actor, "user", required=True)
    migrate(source)
    if source.execute("SELECT 1 FROM settings WHERE key = 'training' AND value = "
                      "'1'").fetchone():
        raise CopyError("this is a training database: copy the real box office",
                        code="training")
    target = connect(target_url)
    try:
        _refuse_unless_empty(target, target_name, before_migrating=True)
        migrate(target)
        return _copy(source, target, target_name, who, now)
    finally:
        target.close()


def _refuse_unless_empty(target: Database, name: str, *, before_migrating: bool) -> None:
    """Refuse a target holding anything but an empty box office's seed rows. Before the
    migration: no tables at all, or a box office's with no rows outside the seeded
    tables. After it: the seeded tables as a fresh migration fills them too."""
    tables = target.table_names()
    if before_migrating and tables and "schema_migrations" not in tables:
        raise CopyError(f"{name} is not empty: it holds {len(tables)} tables that are not "
                        "a box office's (" + ", ".join(tables[:5])
                        + (", ..." if len(tables) > 5 else "") + "). Copy into a new, "
                        "empty database; nothing was changed", code="target_not_empty")
    counts = sorted(((_count(target, table), table) for table in tables
                     if table not in SEEDED), key=lambda item: (-item[0], item[1]))
    filled = [f"{table} ({count:,} rows)" for count, table in counts if count]
    if not before_migrating:
        filled += _changed_seeds(target, tables)
    if filled:
        more = f" and {len(filled) - 6} more" if len(filled) > 6 else ""
        raise CopyError(f"{name} is not empty: " + ", ".join(filled[:6]) + more
                        + ". A copy goes into an empty database only; nothing was changed",
                        code="target_not_empty")


def _changed_seeds(target: Database, tables: Sequence[str]) -> list[str]:
    """The seeded tables whose rows differ from a fresh migration's (a fresh SQLite
    database in memory: the parity test holds the two engines' seeds equal)."""
    fresh = open_database(":memory:")
    try:
        changed = []
        for table in sorted(SEEDED & set(tables) - POSTGRESQL_ONLY):
            columns = [c for c in _source_columns(fresh, table) if c != "id"]
            if table == "settings":
                columns = ["key"]      # the value of database_id is random in each
            listed = ", ".join(_quoted(c) for c in columns)
            query = f"SELECT {listed} FROM {_quoted(table)}"
            if Counter(map(tuple, target.execute(query).fetchall())) != Counter(
                    map(tuple, fresh.execute(query).fetchall())):
                changed.append(f"{table} (not as a new box office has it)")
        return changed
    finally:
        fresh.close()


def _count(db: Database, table: str) -> int:
    return int(db.execute(f"SELECT count(*) FROM {_quoted(table)}").fetchone()[0])


def _source_columns(db: Database, table: str) -> list[str]:
    return [str(row[1]) for row in db.execute(f"PRAGMA table_info({_quoted(table)})")]


def _plan(source: Database, target: Database) -> list[TablePlan]:
    """The tables to copy, parents before children; refuses schemas that differ."""
    target_tables = set(target.table_names()) - POSTGRESQL_ONLY
    source_tables = set(source.table_names()) - SQLITE_ONLY
    if target_tables != source_tables:
        extra = sorted(source_tables - target_tables)
        missing = sorted(target_tables - source_tables)
        raise CopyError("the two schemas differ: " + "; ".join(
            part for part in (f"only the SQLite file has {', '.join(extra)}" if extra else "",
                              f"only PostgreSQL has {', '.join(missing)}" if missing else "")
            if part) + ". Run both on the same version of the box office",
            code="schema_mismatch")
    columns: dict[str, list[str]] = {}
    for table, column in target.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE "
            "table_schema = current_schema() AND is_generated = 'NEVER' "
            "ORDER BY table_name, ordinal_position"):
        columns.setdefault(str(table), []).append(str(column))
    keys: dict[str, list[str]] = {}
    for table, column in target.execute(
            "SELECT c.relname, a.attname FROM pg_index i JOIN pg_class c ON c.oid = "
            "i.indrelid JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = "
            "ANY(i.indkey) WHERE i.indisprimary AND c.relnamespace = "
            "current_schema()::regnamespace ORDER BY c.relname, a.attnum"):
        keys.setdefault(str(table), []).append(str(column))
    graph: dict[str, set[str]] = {table: set() for table in target_tables}
    self_refs: dict[str, list[str]] = {}
    for child, parent, column, parent_column, width in target.execute(
            "SELECT c.relname, p.relname, a.attname, pa.attname, "
            "array_length(k.conkey, 1) FROM pg_constraint k "
            "JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid "
            "JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1] "
            "JOIN pg_attribute pa ON pa.attrelid = k.confrelid AND pa.attnum = k.confkey[1] "
            "WHERE k.contype = 'f' AND k.connamespace = current_schema()::regnamespace"):
        if child not in graph or parent not in graph:
            continue
        if child != parent:
            graph[str(child)].add(str(parent))
        elif width == 1 and keys.get(str(child)) == [str(parent_column)]:
            self_refs.setdefault(str(child), []).append(str(column))
        else:
            raise CopyError(f"{child} refers to itself by a key this copy cannot order",
                            code="schema_mismatch")
    plan = []
    for table in _parents_first(graph):
        wanted = columns.get(table, [])
        have = set(_source_columns(source, table))
        if set(wanted) != have:
            raise CopyError(
                f"the two schemas differ in table {table}: SQLite has "
                f"{', '.join(sorted(have - set(wanted))) or 'no other columns'}, "
                f"PostgreSQL {', '.join(sorted(set(wanted) - have)) or 'no other columns'}",
                code="schema_mismatch")
        plan.append(TablePlan(table, tuple(wanted), tuple(keys.get(table) or wanted),
                           tuple(self_refs.get(table, ()))))
    return plan


def _parents_first(graph: dict[str, set[str]]) -> list[str]:
    sorter = TopologicalSorter(graph)
    try:
        sorter.prepare()
    except CycleError as error:
        raise CopyError(f"the foreign keys form a cycle ({' -> '.join(error.args[1])}): "
                        "no order copies them", code="schema_mismatch") from error
    order: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        order.extend(ready)
        sorter.done(*ready)
    return order


def _copy(source: Database, target: Database, target_name: str, actor: str,
          now: datetime) -> CopyResult:
    plan = _plan(source, target)
    with read_snapshot(source), write(target):
        # checked again holding the write lock: no box office writes it meanwhile
        _refuse_unless_empty(target, target_name, before_migrating=False)
        for table in plan:
            _sql(target, table.name, f"ALTER TABLE {_quoted(table.name)} DISABLE TRIGGER USER")
        for table in reversed(plan):
            if table.name in SEEDED:
                _sql(target, table.name, f"DELETE FROM {_quoted(table.name)}")
        for table in plan:
            try:
                copy_table(source, target, table)
            except (psycopg.Error, ValueError, TypeError) as error:
                raise CopyError(f"copying table {table.name} failed: "
                                f"{str(error).strip()}. Nothing was copied",
                                code="copy_failed") from error
        for table in plan:
            _sql(target, table.name, f"ALTER TABLE {_quoted(table.name)} ENABLE TRIGGER USER")
        _move_sequences(target)
        counts = _verify(source, target, plan)
        head_id, head_hash = journal.head(target)
        copy_row = journal.append(
            target, actor=actor, action="database.copy", subject="database",
            data={"from": source.location, "tables": len(plan),
                  "rows": sum(counts.values()), "journal_head_id": head_id,
                  "journal_head_hash": head_hash}, at=now)
    return CopyResult(source.location, target_name, counts, counts.get("journal", 0),
                      head_id, head_hash, copy_row)


def _sql(target: Database, table: str, statement: str) -> None:
    try:
        target.execute(statement)
    except psycopg.Error as error:
        raise CopyError(f"preparing table {table} failed: {str(error).strip()}. Nothing "
                        "was copied (the target's tables must belong to the user the URL "
                        "signs in as)", code="copy_failed") from error


def copy_table(source: Database, target: Database, table: TablePlan) -> int:
    """Copy one table's rows in id order, in batches; returns how many. A column that
    points at a later row of the same table (a customer merged into a newer one) is
    filled in once every row is there."""
    listed = ", ".join(_quoted(c) for c in table.columns)
    one = "(" + ", ".join("?" for _ in table.columns) + ")"
    # several rows a statement, batches of statements at a time: a round trip per row
    # would take minutes on a big box office
    per_statement = max(1, min(ROWS_PER_INSERT, PARAMETERS // len(table.columns)))
    insert = f"INSERT INTO {_quoted(table.name)} ({listed}) VALUES "
    order = ", ".join(_quoted(c) for c in table.order_by)
    rows = source.execute(f"SELECT {listed} FROM {_quoted(table.name)} ORDER BY {order}")
    refs = [table.columns.index(c) for c in table.self_refs]
    key = table.columns.index(table.order_by[0]) if refs else 0
    later: list[tuple[str, object, object]] = []
    copied = 0
    while batch := list(islice(rows, BATCH)):
        if refs:
            batch = [list(row) for row in batch]
            for row in batch:
                for index in refs:
                    if row[index] is not None and row[index] > row[key]:
                        later.append((table.columns[index], row[index], row[key]))
                        row[index] = None
        whole = len(batch) - len(batch) % per_statement
        if whole:
            target.executemany(insert + ", ".join([one] * per_statement), (
                [value for row in batch[start:start + per_statement] for value in row]
                for start in range(0, whole, per_statement)))
        if whole < len(batch):
            target.execute(insert + ", ".join([one] * (len(batch) - whole)),
                           [value for row in batch[whole:] for value in row])
        copied += len(batch)
    for column, value, row_id in later:
        target.execute(f"UPDATE {_quoted(table.name)} SET {_quoted(column)} = ? WHERE "
                       f"{_quoted(table.order_by[0])} = ?", [value, row_id])
    return copied


def _move_sequences(target: Database) -> None:
    """Every identity column's next value past the highest id copied into it."""
    for table, column in target.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE "
            "table_schema = current_schema() AND is_identity = 'YES' "
            "ORDER BY table_name").fetchall():
        target.execute(
            f"SELECT setval(pg_get_serial_sequence(?, ?), "
            f"coalesce(max({_quoted(column)}), 0) + 1, false) FROM {_quoted(table)}",
            [_quoted(table), column])


def _verify(source: Database, target: Database, plan: list[TablePlan]) -> dict[str, int]:
    """The row counts of both sides, equal table by table, and the target's journal:
    its chain and pins, and the source's head. Raises CopyError `copy_unverified`."""
    counts = {}
    for table in plan:
        expected, copied = _count(source, table.name), _count(target, table.name)
        if expected != copied:
            raise CopyError(f"table {table.name}: {copied:,} rows copied, the source has "
                            f"{expected:,}. Nothing was copied", code="copy_unverified")
        counts[table.name] = copied
    checked = journal.verify_pinned(target)
    if not checked.ok:
        raise CopyError(f"the copied journal does not verify at row {checked.first_broken}: "
                        f"{checked.reason}. Nothing was copied", code="copy_unverified")
    if journal.head(target) != journal.head(source):
        raise CopyError(f"the copied journal ends at row {journal.head(target)[0]}, the "
                        f"source's at row {journal.head(source)[0]}. Nothing was copied",
                        code="copy_unverified")
    return counts
