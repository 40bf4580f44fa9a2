"""The PostgreSQL baseline (core/migrations/pg_baseline.py) is the SQLite schema after m0018.

A fresh SQLite database migrated by core.store.schema and a fresh PostgreSQL database made
from the baseline are read into one normalised model and compared: tables, columns (type,
NOT NULL, default), primary keys, indexes, foreign keys, CHECK constraints (evaluated on
both engines over the same probe rows), triggers (what they guard and the message they
refuse with), and the seed rows. Then the rules the triggers keep are run on both engines
side by side, and the PostgreSQL customer search is tried on the names FTS5 finds.

Needs a PostgreSQL server: `tools/with_postgres.sh .venv/bin/python -m pytest -q
tests/core/test_schema_parity.py` starts a throwaway one and sets BOXOFFICE_TEST_PG.
Without it these tests fail: a backend that was skipped is not a pass."""

from __future__ import annotations

import importlib
import itertools
import os
import pkgutil
import re
import sqlite3
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

import core.migrations
from core.migrations import pg_baseline
from core.store.schema import open_database
from tests.support import postgres

pytestmark = pytest.mark.postgresql

# Objects only one engine has, and why. Anything else on one side only fails the test.
SQLITE_ONLY_TABLES = {
    "_sqlite_migrations": "sqlite-utils' record of applied migrations (PG: schema_migrations)",
    "sqlite_sequence": "SQLite's AUTOINCREMENT counters",
    # FTS5's customer index and its shadow tables (PG: customers.search)
    "customers_fts": "FTS5", "customers_fts_data": "FTS5", "customers_fts_idx": "FTS5",
    "customers_fts_docsize": "FTS5", "customers_fts_config": "FTS5",
}
SQLITE_ONLY_TRIGGERS = {
    # they keep customers_fts in step with customers; PG's generated column needs none
    "customers_fts_insert", "customers_fts_update", "customers_fts_delete",
}
PG_ONLY_TABLES = {"schema_migrations": "the migration runner's record on PostgreSQL"}
PG_ONLY_COLUMNS = {("customers", "search"): "the tsvector that replaces customers_fts"}
PG_ONLY_INDEXES = {"customers_search": "the GIN index over customers.search"}
# TRUNCATE skips DELETE triggers on PostgreSQL (SQLite has no TRUNCATE): each table whose
# rows cannot be deleted refuses it too. test_truncate_guards checks there is one per such
# table, with the DELETE trigger's message.
PG_ONLY_TRIGGER_SUFFIX = "_no_truncate"

PG_TYPES = {"bigint": "INTEGER", "text": "TEXT", "bytea": "BLOB",
            "double precision": "REAL"}


def _pg_url() -> str:
    url = os.environ.get("BOXOFFICE_TEST_PG", "")
    if not url:
        pytest.fail("BOXOFFICE_TEST_PG is not set: these tests need a PostgreSQL server. "
                    "Run them as tools/with_postgres.sh .venv/bin/python -m pytest -q "
                    "tests/core/test_schema_parity.py (a throwaway cluster).", pytrace=False)
    return url


def _with_database(url: str, name: str) -> str:
    info = psycopg.conninfo.conninfo_to_dict(url)
    info["dbname"] = name
    return psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in info.items()
                                             if v is not None})


def migrate_postgres(url: str) -> None:
    """Make the schema as a PostgreSQL box office gets it: the runner's PostgreSQL path
    (the baseline, then m0019 and later), as the SQLite side gets every migration."""
    open_database(url).close()


@contextmanager
def postgres_database() -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """A fresh database on the test server holding the baseline; dropped afterwards."""
    url = _pg_url()
    name = f"bo_parity_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        migrate_postgres(postgres.database_url(name))
        with psycopg.connect(_with_database(url, name), autocommit=True) as conn:
            yield conn
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)))


@contextmanager
def sqlite_database(folder: Path) -> Iterator[sqlite3.Connection]:
    """A SQLite database migrated by the product, read with the standard library: the
    schema's pragmas are what is compared, whatever the product's own Database does."""
    path = folder / f"parity-{uuid.uuid4().hex[:8]}.db"
    open_database(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    try:
        yield conn
    finally:
        conn.close()


# The schema is read once per module from these two; tests that write get their own pair.
@pytest.fixture(scope="module")
def pg() -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    with postgres_database() as conn:
        yield conn


@pytest.fixture(scope="module")
def lite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    with sqlite_database(tmp_path_factory.mktemp("parity")) as conn:
        yield conn


@pytest.fixture
def scratch_pg() -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    with postgres_database() as conn:
        yield conn


@pytest.fixture
def scratch_lite(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    with sqlite_database(tmp_path) as conn:
        yield conn


# --- the normalised model ----------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    name: str
    type: str
    not_null: bool
    default: str | None


@dataclass(frozen=True)
class Index:
    table: str
    name: str | None       # None: made by a UNIQUE constraint (names differ by engine)
    unique: bool
    keys: tuple[str, ...]  # column names, or an expression such as lower(sku)
    where: str | None      # the partial index's condition, normalised


@dataclass(frozen=True)
class ForeignKey:
    table: str
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]


@dataclass(frozen=True)
class Trigger:
    name: str
    table: str
    timing: str            # BEFORE, AFTER
    event: str             # INSERT, DELETE, UPDATE, UPDATE OF a, b, TRUNCATE
    row_level: bool


@dataclass
class Schema:
    columns: dict[str, list[Column]] = field(default_factory=dict)
    primary_keys: dict[str, tuple[str, ...]] = field(default_factory=dict)
    indexes: set[Index] = field(default_factory=set)
    foreign_keys: set[ForeignKey] = field(default_factory=set)
    checks: dict[str, list[str]] = field(default_factory=dict)   # table -> expressions
    triggers: set[Trigger] = field(default_factory=set)
    messages: dict[str, str] = field(default_factory=dict)       # trigger -> refusal text


def _normal_sql(text: str | None) -> str | None:
    """An expression as both engines would print it: no casts, no parentheses, `<>`."""
    if text is None:
        return None
    text = re.sub(r"::[a-z ]+?(?=[\s),]|$)", "", text.strip())
    text = text.replace("!=", "<>").replace("(", " ").replace(")", " ")
    return re.sub(r"\s+", " ", text).strip().lower()


def _strip_sql(text: str) -> Iterator[tuple[int, str]]:
    """The characters of SQL text outside comments, with their offsets; string literals
    come whole, as one item."""
    i = 0
    while i < len(text):
        if text.startswith("--", i):
            i = text.find("\n", i)
            if i < 0:
                return
        elif text[i] == "'":
            end = i + 1
            while True:
                end = text.index("'", end)
                if text.startswith("''", end):
                    end += 2
                    continue
                break
            yield i, text[i:end + 1]
            i = end + 1
        else:
            yield i, text[i]
            i += 1


def sqlite_checks(create_table: str) -> list[str]:
    """The CHECK expressions of a CREATE TABLE statement, comments dropped."""
    flat = "".join(piece for _, piece in _strip_sql(create_table))
    found: list[str] = []
    pieces = list(_strip_sql(flat))
    for n, (pos, piece) in enumerate(pieces):
        if piece.upper() != "C" or flat[pos:pos + 5].upper() != "CHECK":
            continue
        if pos and (flat[pos - 1].isalnum() or flat[pos - 1] == "_"):
            continue
        depth, start = 0, None
        for pos2, piece2 in pieces[n + 5:]:
            if piece2 == "(":
                depth += 1
                start = pos2 if start is None else start
            elif piece2 == ")":
                depth -= 1
                if depth == 0 and start is not None:
                    found.append(flat[start:pos2 + 1])
                    break
            elif start is None and not piece2.isspace():
                break
    return found


_TRIGGER = re.compile(
    r"CREATE\s+TRIGGER\s+(?P<name>\w+)\s+(?P<timing>BEFORE|AFTER)\s+"
    r"(?P<event>INSERT|DELETE|TRUNCATE|UPDATE(?:\s+OF\s+[\w\s,]+?)?)\s+ON\s+"
    r"(?:public\.)?(?P<table>\w+)(?P<rest>.*)", re.S | re.I)


def _trigger(definition: str) -> Trigger:
    match = _TRIGGER.match(definition.strip())
    assert match, definition
    event = re.sub(r"\s+", " ", match["event"].upper())
    event = re.sub(r"\s*,\s*", ", ", event)
    row_level = "FOR EACH STATEMENT" not in match["rest"].upper()
    return Trigger(match["name"], match["table"], match["timing"].upper(), event, row_level)


def read_sqlite(conn: sqlite3.Connection) -> Schema:
    schema = Schema()
    objects = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master "
                           "WHERE sql IS NOT NULL ORDER BY rowid").fetchall()
    tables = {name: ddl for kind, name, _, ddl in objects
              if kind == "table" and name not in SQLITE_ONLY_TABLES}
    index_sql = {name: ddl for kind, name, _, ddl in objects if kind == "index"}
    for table, ddl in tables.items():
        info = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
        schema.columns[table] = [
            # a primary key column is NOT NULL on PostgreSQL; SQLite lets a non-integer
            # one hold NULL (a documented legacy quirk), so the model says NOT NULL
            Column(name, declared.upper(), bool(not_null) or pk > 0, default)
            for _, name, declared, not_null, default, pk in info]
        schema.primary_keys[table] = tuple(
            name for pk, name in sorted((c[5], c[1]) for c in info if c[5]))
        for _, name, unique, origin, partial in conn.execute(
                f'PRAGMA index_list("{table}")'):
            if origin == "pk":
                continue
            keys = tuple(
                (f"lower({col})" if (coll or "").upper() == "NOCASE" else col)
                for _, _, col, _, coll, key in conn.execute(f'PRAGMA index_xinfo("{name}")')
                if key)
            where = None
            if partial:
                where = re.split(r"\bWHERE\b", index_sql[name], flags=re.I)[1]
            schema.indexes.add(Index(table, name if origin == "c" else None, bool(unique),
                                     keys, _normal_sql(where)))
        fks: dict[int, list[tuple[str, str, str]]] = {}
        for fk_id, _, ref_table, col, ref_col, *_ in conn.execute(
                f'PRAGMA foreign_key_list("{table}")'):
            fks.setdefault(fk_id, []).append((ref_table, col, ref_col))
        for parts in fks.values():
            schema.foreign_keys.add(ForeignKey(table, tuple(p[1] for p in parts), parts[0][0],
                                               tuple(p[2] for p in parts)))
        schema.checks[table] = sqlite_checks(ddl)
    for kind, name, _, ddl in objects:
        if kind != "trigger" or name in SQLITE_ONLY_TRIGGERS:
            continue
        schema.triggers.add(_trigger(ddl))
        raised = re.search(r"RAISE\s*\(\s*ABORT\s*,\s*'((?:[^']|'')*)'\s*\)", ddl)
        if raised:
            schema.messages[name] = raised[1].replace("''", "'")
    return schema


def read_postgres(conn: psycopg.Connection[tuple[object, ...]]) -> Schema:
    schema = Schema()
    tables = [str(r[0]) for r in conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
              if r[0] not in PG_ONLY_TABLES]
    for table in tables:
        schema.columns[table] = [
            Column(str(name), PG_TYPES.get(str(kind), str(kind)), nullable == "NO",
                   _strip_casts(default) if identity == "NO" else None)
            for name, kind, nullable, default, identity in conn.execute(
                "SELECT column_name, data_type, is_nullable, column_default, is_identity "
                "FROM information_schema.columns WHERE table_schema = 'public' "
                "AND table_name = %s ORDER BY ordinal_position", [table])
            if (table, name) not in PG_ONLY_COLUMNS]
        schema.checks[table] = [
            str(d).removeprefix("CHECK ") for (d,) in conn.execute(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'c' ORDER BY oid", [table])]
    for rel, con, kind, cols, ref_table, ref_cols in conn.execute("""
            SELECT c.conrelid::regclass::text, c.conname, c.contype,
                   (SELECT array_agg(a.attname ORDER BY k.n) FROM unnest(c.conkey)
                        WITH ORDINALITY AS k(num, n)
                    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.num),
                   c.confrelid::regclass::text,
                   (SELECT array_agg(a.attname ORDER BY k.n) FROM unnest(c.confkey)
                        WITH ORDINALITY AS k(num, n)
                    JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.num)
            FROM pg_constraint c JOIN pg_namespace s ON s.oid = c.connamespace
            WHERE s.nspname = 'public' AND c.contype IN ('p', 'f')"""):
        assert isinstance(cols, list), con
        if rel in PG_ONLY_TABLES:
            continue
        if kind == "p":
            schema.primary_keys[str(rel)] = tuple(cols)
        else:
            assert isinstance(ref_cols, list), con
            schema.foreign_keys.add(ForeignKey(str(rel), tuple(cols), str(ref_table),
                                               tuple(ref_cols)))
    for rel, name, unique, nkeys, where, oid, backs_constraint in conn.execute("""
            SELECT t.relname, i.relname, x.indisunique, x.indnkeyatts,
                   pg_get_expr(x.indpred, x.indrelid, true), x.indexrelid,
                   EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid
                           AND c.contype = 'u')
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            JOIN pg_namespace s ON s.oid = t.relnamespace
            WHERE s.nspname = 'public' AND NOT x.indisprimary"""):
        if name in PG_ONLY_INDEXES or rel in PG_ONLY_TABLES:
            continue
        assert isinstance(nkeys, int)
        keys = tuple(str(conn.execute("SELECT pg_get_indexdef(%s, %s, true)",
                                      [oid, k]).fetchone()[0])  # type: ignore[index]
                     for k in range(1, nkeys + 1))
        # a unique index named as PostgreSQL names a UNIQUE constraint's (items_sku_key,
        # on lower(sku), stands for SQLite's UNIQUE COLLATE NOCASE) counts as one
        anonymous = bool(backs_constraint) or (bool(unique) and str(name).endswith("_key"))
        schema.indexes.add(Index(str(rel), None if anonymous else str(name), bool(unique),
                                 keys, _normal_sql(str(where)) if where else None))
    for name, definition, args in conn.execute("""
            SELECT t.tgname, pg_get_triggerdef(t.oid), t.tgargs
            FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
            JOIN pg_namespace s ON s.oid = c.relnamespace
            WHERE s.nspname = 'public' AND NOT t.tgisinternal"""):
        schema.triggers.add(_trigger(str(definition)))
        assert isinstance(args, bytes)
        if args:
            schema.messages[str(name)] = args.split(b"\0")[0].decode()
    return schema


def _strip_casts(default: object) -> str | None:
    return None if default is None else re.sub(r"::[a-z ]+$", "", str(default))


@pytest.fixture(scope="module")
def schemas(lite: sqlite3.Connection,
            pg: psycopg.Connection[tuple[object, ...]]) -> tuple[Schema, Schema]:
    return read_sqlite(lite), read_postgres(pg)


# --- structure ---------------------------------------------------------------------------

def test_baseline_covers_the_sqlite_migrations_in_order() -> None:
    names = []
    for module in sorted(m.name for m in pkgutil.iter_modules(core.migrations.__path__)):
        number = re.fullmatch(r"m(\d{4})_\w+", module)
        if number and int(number[1]) <= 18:
            names.append(importlib.import_module(f"core.migrations.{module}").NAME)
    assert tuple(names) == pg_baseline.COVERS


def test_same_tables(schemas: tuple[Schema, Schema]) -> None:
    lite, pg = schemas
    assert sorted(pg.columns) == sorted(lite.columns)


def test_same_columns_in_the_same_order(schemas: tuple[Schema, Schema]) -> None:
    lite, pg = schemas
    for table, columns in lite.columns.items():
        assert pg.columns.get(table) == columns, table


def test_same_primary_keys(schemas: tuple[Schema, Schema]) -> None:
    lite, pg = schemas
    assert pg.primary_keys == lite.primary_keys


def test_same_indexes(schemas: tuple[Schema, Schema]) -> None:
    lite, pg = schemas
    assert sorted(pg.indexes - lite.indexes, key=repr) == []
    assert sorted(lite.indexes - pg.indexes, key=repr) == []


def test_same_foreign_keys(schemas: tuple[Schema, Schema]) -> None:
    lite, pg = schemas
    assert sorted(pg.foreign_keys - lite.foreign_keys, key=repr) == []
    assert sorted(lite.foreign_keys - pg.foreign_keys, key=repr) == []


def test_same_triggers(schemas: tuple[Schema, Schema]) -> None:
    lite, pg = schemas
    pg_triggers = {t for t in pg.triggers if not t.name.endswith(PG_ONLY_TRIGGER_SUFFIX)}
    assert sorted(pg_triggers - lite.triggers, key=repr) == []
    assert sorted(lite.triggers - pg_triggers, key=repr) == []


def test_triggers_refuse_with_the_same_words(schemas: tuple[Schema, Schema]) -> None:
    lite, pg = schemas
    assert lite.messages   # the parser found SQLite's RAISE texts
    assert {name: pg.messages.get(name) for name in lite.messages} == lite.messages
    assert set(pg.messages) - set(lite.messages) == {
        t.name for t in pg.triggers if t.name.endswith(PG_ONLY_TRIGGER_SUFFIX)}


def test_truncate_guards(schemas: tuple[Schema, Schema]) -> None:
    """Every table SQLite keeps from DELETE refuses TRUNCATE on PostgreSQL, in the
    DELETE trigger's words, and no other PostgreSQL-only trigger exists."""
    lite, pg = schemas
    no_delete = {t.table: lite.messages[t.name] for t in lite.triggers
                 if t.event == "DELETE" and t.timing == "BEFORE" and t.name in lite.messages}
    assert "journal" in no_delete
    guards = {t.table: pg.messages.get(t.name) for t in pg.triggers
              if t.name.endswith(PG_ONLY_TRIGGER_SUFFIX)}
    assert all(t.event == "TRUNCATE" and not t.row_level for t in pg.triggers
               if t.name.endswith(PG_ONLY_TRIGGER_SUFFIX))
    assert guards == no_delete


# --- CHECK constraints, evaluated --------------------------------------------------------

TEXT_PROBES: tuple[str | None, ...] = (
    None, "", " ", "a", "Z", "zz", "A-b_9", "a b", "ab!", "1234", "12a4", "123", "12345",
    "é", "É", "x" * 32, "x" * 33, "x" * 40, "x" * 41, "x" * 4000, "x" * 4001,
    "not-a-listed-value")
INT_PROBES: tuple[int | None, ...] = (None, -1, 0, 1, 2, 4, 5, 32, 33, 255, 256, 999, 1000,
                                      10000, 10001)
REFUSED_TEXT = "not-a-listed-value"


def in_lists(checks: Sequence[str]) -> dict[str, list[str | int]]:
    """Column -> the values an `col IN (...)` CHECK allows, read from SQLite's DDL."""
    lists: dict[str, list[str | int]] = {}
    for check in checks:
        for col, values in re.findall(r"\b(\w+)\s+IN\s*\(([^()]*)\)", check):
            parsed: list[str | int] = [
                v[1:-1].replace("''", "'") if v.startswith("'") else int(v)
                for v in re.findall(r"'(?:[^']|'')*'|-?\d+", values)]
            lists.setdefault(col, []).extend(parsed)
    return lists


def probe_rows(columns: Sequence[Column], checks: Sequence[str]) -> list[dict[str, object]]:
    """Rows to judge a table's CHECKs by: each column alone over its probe values (the
    others NULL), and every combination of a few values over the columns of each CHECK
    that names more than one."""
    listed = in_lists(checks)
    probes: dict[str, list[object]] = {}
    small: dict[str, list[object]] = {}
    for col in columns:
        extra = listed.get(col.name, [])
        if col.type == "TEXT":
            probes[col.name] = [*TEXT_PROBES, *extra]
            small[col.name] = [None, "x", *extra]
        elif col.type == "INTEGER":
            probes[col.name] = [*INT_PROBES, *extra]
            small[col.name] = [None, -1, 0, 1, 2, *extra]
        else:
            probes[col.name] = small[col.name] = [None]
    rows: list[dict[str, object]] = [{c: v} for c, values in probes.items() for v in values]
    for check in checks:
        named = named_columns(check, columns)
        if len(named) > 1:
            rows += [dict(zip(named, combo, strict=True))
                     for combo in itertools.product(*(small[c] for c in named))]
    return rows


def judge_sqlite(conn: sqlite3.Connection, columns: Sequence[Column], checks: Sequence[str],
                 rows: Sequence[dict[str, object]]) -> list[bool]:
    """For each row: does it pass every CHECK (a CHECK fails only when false)?"""
    names = ", ".join(f'? AS "{c.name}"' for c in columns)
    passes = " AND ".join(f"coalesce(({check}) != 0, 1)" for check in checks)
    query = f"SELECT {passes} FROM (SELECT {names})"
    return [bool(conn.execute(query, [row.get(c.name) for c in columns]).fetchone()[0])
            for row in rows]


def judge_postgres(conn: psycopg.Connection[tuple[object, ...]], table: str,
                   columns: Sequence[Column], checks: Sequence[str],
                   rows: Sequence[dict[str, object]]) -> list[bool]:
    kinds = {"INTEGER": "bigint", "TEXT": "text", "BLOB": "bytea", "REAL": "double precision"}
    cells = ", ".join(f"CAST(%s AS {kinds[c.type]})" for c in columns)
    values = ", ".join(f"(%s, {cells})" for _ in rows)
    names = ", ".join(f'"{c.name}"' for c in columns)
    passes = " AND ".join(f"(({check}) IS NOT FALSE)" for check in checks)
    query = (f"SELECT {passes} FROM (VALUES {values}) AS probe(probe_n, {names}) "
             "ORDER BY probe_n").replace("%", "%%").replace("%%s", "%s")
    params: list[object] = []
    for n, row in enumerate(rows):
        params += [n, *(row.get(c.name) for c in columns)]
    return [bool(r[0]) for r in conn.execute(query, params)]


def about(checks: Sequence[str], columns: Sequence[Column], column: str) -> list[str]:
    """The CHECKs that name no column of the table but `column`."""
    return [check for check in checks if named_columns(check, columns) == [column]]


def named_columns(check: str, columns: Sequence[Column]) -> list[str]:
    """The table's columns a CHECK names (outside its string literals)."""
    bare = re.sub(r"'(?:[^']|'')*'", "''", check)
    return [c.name for c in columns if re.search(rf'\b{c.name}\b', bare)]


def test_same_number_of_checks_per_table(schemas: tuple[Schema, Schema]) -> None:
    lite, pg = schemas
    assert {t: len(c) for t, c in pg.checks.items()} == {
        t: len(c) for t, c in lite.checks.items()}


def test_checks_accept_and_refuse_the_same_rows(
        schemas: tuple[Schema, Schema], lite: sqlite3.Connection,
        pg: psycopg.Connection[tuple[object, ...]]) -> None:
    lite_schema, pg_schema = schemas
    differences = []
    judged = 0
    for table, checks in lite_schema.checks.items():
        if not checks:
            continue
        columns = lite_schema.columns[table]
        rows = probe_rows(columns, checks)
        on_sqlite = judge_sqlite(lite, columns, checks, rows)
        on_postgres = judge_postgres(pg, table, columns, pg_schema.checks[table], rows)
        judged += len(rows)
        differences += [(table, row, "sqlite" if a else "postgresql")
                        for row, a, b in zip(rows, on_sqlite, on_postgres, strict=True)
                        if a != b]
    assert judged > 1000
    assert differences[:20] == [], f"{len(differences)} rows judged differently " \
        "(the engine named accepts them)"


def test_every_in_list_is_the_same(schemas: tuple[Schema, Schema], lite: sqlite3.Connection,
                                   pg: psycopg.Connection[tuple[object, ...]]) -> None:
    """Each value a CHECK's IN list allows on SQLite (the widened lists of m0009, m0015 and
    m0017 included) is allowed on PostgreSQL, and a value outside it refused on both."""
    lite_schema, pg_schema = schemas
    seen = 0
    for table, checks in lite_schema.checks.items():
        columns = lite_schema.columns[table]
        for col, allowed in in_lists(checks).items():
            refused: str | int = (REFUSED_TEXT if isinstance(allowed[0], str)
                                  else max(int(v) for v in allowed) + 1)
            rows: list[dict[str, object]] = [{col: v} for v in [*allowed, refused]]
            expected = [True] * len(allowed) + [False]
            assert judge_sqlite(lite, columns, about(checks, columns, col),
                                rows) == expected, (table, col)
            assert judge_postgres(pg, table, columns,
                                  about(pg_schema.checks[table], columns, col),
                                  rows) == expected, (table, col)
            seen += 1
    assert seen > 40
    orders = in_lists(lite_schema.checks["orders"])
    assert "subscription" in orders["channel"] and "reserved" in orders["status"]
    assert "credit" in in_lists(lite_schema.checks["payments"])["tender"]


# --- what the triggers keep, on both engines ---------------------------------------------

Run = Callable[[str, Sequence[object]], str]


def sqlite_runner(conn: sqlite3.Connection) -> Run:
    def run(statement: str, params: Sequence[object] = ()) -> str:
        try:
            conn.execute(statement, params)
        except sqlite3.IntegrityError as error:
            return "duplicate" if str(error).startswith("UNIQUE") else str(error)
        return "ok"
    return run


def postgres_runner(conn: psycopg.Connection[tuple[object, ...]]) -> Run:
    def run(statement: str, params: Sequence[object] = ()) -> str:
        try:
            conn.execute(statement.replace("?", "%s"), params)
        except psycopg.errors.RestrictViolation as error:
            assert error.sqlstate == "23001"
            return str(error.diag.message_primary)
        except psycopg.errors.UniqueViolation:
            return "duplicate"
        return "ok"
    return run


def the_rules(run: Run) -> list[tuple[str, str]]:
    """The same statements on either engine, each with what came of it."""
    steps = [
        ("user", "INSERT INTO users (id, username, display_name, role, pin_hash) "
                 "VALUES (900, 'rules', 'Rules', 'seller', 'x')"),
        ("journal row", "INSERT INTO journal (id, at, actor, action, subject, data, "
                        "prev_hash, hash) VALUES (900, 't', 'a', 'b', 'c', '{}', 'p', 'h')"),
        ("journal update", "UPDATE journal SET actor = 'x' WHERE id = 900"),
        ("journal update of no row", "UPDATE journal SET actor = 'x' WHERE id = -1"),
        ("journal delete", "DELETE FROM journal WHERE id = 900"),
        ("order", "INSERT INTO orders (id, number, user_id, station, channel, status, "
                  "total_cents, created_at) VALUES (900, 'R-900', 900, 'w1', 'window', "
                  "'complete', 100, 't')"),
        ("payment without a shift", "INSERT INTO payments (order_id, tender, amount_cents, "
                                    "status, user_id, station, created_at) "
                                    "VALUES (900, 'cash', 100, 'approved', 900, 'w1', 't')"),
        ("shift", "INSERT INTO shifts (id, user_id, station, opened_at, float_cents, "
                  "float_counts, tolerance_cents) VALUES (900, 900, 'w1', 't', 0, '{}', 0)"),
        ("payment in the shift", "INSERT INTO payments (id, order_id, tender, amount_cents, "
                                 "status, user_id, station, created_at, shift_id) VALUES "
                                 "(900, 900, 'cash', 100, 'approved', 900, 'w1', 't', 900)"),
        ("payment changed in an open shift", "UPDATE payments SET reason = 'r' WHERE id = 900"),
        ("drop", "INSERT INTO shift_movements (id, shift_id, kind, amount_cents, reason, "
                 "user_id, approved_by, created_at) "
                 "VALUES (900, 900, 'drop', 5, 'r', 900, 'a', 't')"),
        ("drop changed", "UPDATE shift_movements SET reason = 'x' WHERE id = 900"),
        ("drop deleted", "DELETE FROM shift_movements WHERE id = 900"),
        ("shift counted", "UPDATE shifts SET status = 'counted', counted_at = 't' "
                          "WHERE id = 900"),
        ("payment in a counted shift", "INSERT INTO payments (order_id, tender, amount_cents,"
                                       " status, user_id, station, created_at, shift_id) "
                                       "VALUES (900, 'cash', 1, 'approved', 900, 'w1', 't', "
                                       "900)"),
        ("shift closed", "UPDATE shifts SET status = 'closed' WHERE id = 900"),
        ("closed shift changed", "UPDATE shifts SET station = 'w2' WHERE id = 900"),
        ("payment of a closed shift changed", "UPDATE payments SET reason = 'x' "
                                              "WHERE id = 900"),
        ("drop in a closed shift", "INSERT INTO shift_movements (shift_id, kind, amount_cents,"
                                   " reason, user_id, approved_by, created_at) "
                                   "VALUES (900, 'drop', 5, 'r', 900, 'a', 't')"),
        ("shift deleted", "DELETE FROM shifts WHERE id = 900"),
        ("Z number 2 first", "INSERT INTO z_reports (z_number, shift_id, closed_at, closed_by,"
                             " figures, journal_hash) VALUES (2, 900, 't', 900, '{}', 'h')"),
        ("Z number 1", "INSERT INTO z_reports (z_number, shift_id, closed_at, closed_by, "
                       "figures, journal_hash) VALUES (1, 900, 't', 900, '{}', 'h')"),
        ("Z report changed", "UPDATE z_reports SET figures = 'x'"),
        ("Z report deleted", "DELETE FROM z_reports"),
        ("deposit", "INSERT INTO deposits (id, business_date, cash_cents, checks_cents, "
                    "created_at, created_by) VALUES (900, 'd', 0, 0, 't', 900)"),
        ("deposit slip line", "INSERT INTO deposit_shifts (deposit_id, shift_id, cash_cents, "
                              "checks_cents) VALUES (900, 900, 0, 0)"),
        ("deposit slip line changed", "UPDATE deposit_shifts SET cash_cents = 1"),
        ("deposit deposited", "UPDATE deposits SET status = 'deposited', "
                              "bank_reference = 'b' WHERE id = 900"),
        ("deposited deposit changed", "UPDATE deposits SET bank_reference = 'c'"),
        ("deposit deleted", "DELETE FROM deposits"),
        ("case", "INSERT INTO cases (id, kind, channel, category, description, opened_by, "
                 "opened_at) VALUES (900, 'inquiry', 'phone', 'c', 'd', 900, 't')"),
        ("case note", "INSERT INTO case_notes (id, case_id, user_id, at, text) "
                      "VALUES (900, 900, 900, 't', 'said so')"),
        ("case note changed", "UPDATE case_notes SET text = 'said otherwise'"),
        ("case note anonymised", "UPDATE case_notes SET text = '(anonymised)'"),
        ("case note deleted", "DELETE FROM case_notes"),
        ("notice", "INSERT INTO notices (kind, case_id, channel, sent_by, sent_at) "
                   "VALUES ('case', 900, 'email', 900, 't')"),
        ("notice changed", "UPDATE notices SET channel = 'mail'"),
        ("notice deleted", "DELETE FROM notices"),
        ("item", "INSERT INTO items (id, sku, name, category, price_cents, created_at) "
                 "VALUES (900, 'Pop-1', 'Popcorn', 'snacks', 300, 't')"),
        ("item, the same SKU in other case", "INSERT INTO items (sku, name, category, "
                                             "price_cents, created_at) "
                                             "VALUES ('POP-1', 'P', 'snacks', 300, 't')"),
        ("stock move", "INSERT INTO stock_moves (item_id, kind, quantity, on_hand_after, "
                       "user_id, created_at) VALUES (900, 'receive', 5, 5, 900, 't')"),
        ("stock move changed", "UPDATE stock_moves SET reason = 'x'"),
        ("stock move deleted", "DELETE FROM stock_moves"),
        ("stock count", "INSERT INTO stock_counts (id, user_id, counted_at) "
                        "VALUES (900, 900, 't')"),
        ("stock count line", "INSERT INTO stock_count_lines (count_id, item_id, expected, "
                             "counted, unit_cost_cents) VALUES (900, 900, 5, 5, 0)"),
        ("stock count line changed", "UPDATE stock_count_lines SET counted = 4"),
    ]
    return [(label, run(statement, ())) for label, statement in steps]


def test_the_rules_hold_alike(scratch_lite: sqlite3.Connection,
                              scratch_pg: psycopg.Connection[tuple[object, ...]]) -> None:
    on_sqlite = the_rules(sqlite_runner(scratch_lite))
    on_postgres = the_rules(postgres_runner(scratch_pg))
    assert on_postgres == on_sqlite
    refused = dict(on_sqlite)
    # the harness is not trivially equal: SQLite did refuse what it must
    assert refused["journal update"] == "the journal is append-only: rows cannot be changed"
    assert refused["journal update of no row"] == "ok"
    assert refused["payment without a shift"] == "a payment needs an open shift"
    assert refused["payment in a counted shift"] == "a payment needs an open shift"
    assert refused["payment of a closed shift changed"] == (
        "a payment of a closed shift cannot change")
    assert refused["Z number 2 first"] == "Z numbers are gapless"
    assert refused["case note anonymised"] == "ok"
    assert refused["item, the same SKU in other case"] == "duplicate"


@pytest.mark.parametrize(("table", "message"), [
    ("journal", "the journal is append-only: rows cannot be deleted"),
    ("shifts", "shifts are kept: a shift cannot be deleted"),
    ("z_reports", "a Z report cannot be deleted"),
    ("stock_moves", "stock moves are append-only"),
])
def test_truncate_is_refused(pg: psycopg.Connection[tuple[object, ...]], table: str,
                             message: str) -> None:
    with pytest.raises(psycopg.errors.RestrictViolation) as refused:
        pg.execute(sql.SQL("TRUNCATE {} CASCADE").format(sql.Identifier(table)))
    assert refused.value.diag.message_primary == message


def test_truncate_cascading_into_a_kept_table_is_refused(
        pg: psycopg.Connection[tuple[object, ...]]) -> None:
    # users is not append-only, but truncating it would cascade into shifts and the journal
    with pytest.raises(psycopg.errors.RestrictViolation):
        pg.execute("TRUNCATE users CASCADE")


def test_ticket_changes_are_recorded_alike(
        scratch_lite: sqlite3.Connection,
        scratch_pg: psycopg.Connection[tuple[object, ...]]) -> None:
    def story(run: Callable[[str], list[tuple[object, ...]]]) -> list[list[tuple[object, ...]]]:
        seen = []
        statements = [
            "INSERT INTO users (id, username, display_name, role, pin_hash) "
            "VALUES (901, 'feed', 'Feed', 'seller', 'x')",
            "INSERT INTO venues (id, code, name, kind) VALUES (901, 'V9', 'V', 'hall')",
            "INSERT INTO events (id, name) VALUES (901, 'E')",
            "INSERT INTO performances (id, event_id, venue_id, starts_at) "
            "VALUES (901, 901, 901, 't')",
            "INSERT INTO sections (id, venue_id, code, name, kind, capacity) "
            "VALUES (901, 901, 'GA', 'GA', 'ga', 10)",
            "INSERT INTO orders (id, number, user_id, station, channel, status, total_cents,"
            " created_at) VALUES (901, 'F-901', 901, 'w', 'window', 'complete', 0, 't')",
            "INSERT INTO tickets (id, order_id, performance_id, section_id, price_type_id, "
            "serial, created_at) VALUES (901, 901, 901, 901, 1, 'S901', 't')",
            "UPDATE tickets SET printed_at = 'p' WHERE id = 901",   # not a change a gate sees
            "UPDATE tickets SET status = 'voided' WHERE id = 901",
            "INSERT INTO revocations (ticket_id, generation, revoked_at, reason) "
            "VALUES (901, 1, 't', 'r')",
        ]
        for statement in statements:
            run(statement)
            seen.append(run("SELECT ticket_id, performance_id FROM ticket_changes "
                            "WHERE performance_id = 901 ORDER BY seq"))
        return seen

    def on_sqlite(statement: str) -> list[tuple[object, ...]]:
        return list(scratch_lite.execute(statement).fetchall())

    def on_postgres(statement: str) -> list[tuple[object, ...]]:
        cursor = scratch_pg.execute(statement)
        return list(cursor.fetchall()) if cursor.description else []

    expected = story(on_sqlite)
    assert expected[-1] == [(901, 901)] * 3
    assert story(on_postgres) == expected


# --- seed rows ---------------------------------------------------------------------------

@pytest.mark.parametrize("table", ["role_permissions", "price_types", "hold_codes"])
def test_the_same_seed_rows(lite: sqlite3.Connection,
                            pg: psycopg.Connection[tuple[object, ...]], table: str) -> None:
    query = f"SELECT * FROM {table} ORDER BY 1, 2"
    rows = lite.execute(query).fetchall()
    assert rows
    assert pg.execute(query).fetchall() == rows


def test_both_start_with_the_same_rows_in_every_table(
        schemas: tuple[Schema, Schema], lite: sqlite3.Connection,
        pg: psycopg.Connection[tuple[object, ...]]) -> None:
    lite_schema, _ = schemas
    count = 'SELECT count(*) FROM "{}"'
    on_sqlite = {t: lite.execute(count.format(t)).fetchone()[0] for t in lite_schema.columns}
    on_postgres = {t: pg.execute(count.format(t).encode()).fetchone()[0]  # type: ignore[index]
                   for t in lite_schema.columns}
    assert on_postgres == on_sqlite
    assert {t for t, n in on_sqlite.items() if n} == {
        "role_permissions", "price_types", "hold_codes", "settings", "journal_head"}
    # the database's identity: random, 16 hex digits, on both
    assert lite.execute("SELECT key, length(value) FROM settings").fetchall() == [
        ("database_id", 16)]
    assert pg.execute("SELECT key, value ~ '^[0-9a-f]{16}$' FROM settings").fetchall() == [
        ("database_id", True)]


# --- customer search ---------------------------------------------------------------------

def pg_search(conn: psycopg.Connection[tuple[object, ...]], typed: str) -> list[str]:
    """What a search for `typed` finds: every folded word a prefix, all of them needed."""
    row = conn.execute("SELECT bo_fold(%s)", [typed]).fetchone()
    assert row is not None
    words = str(row[0]).split()
    query = " & ".join(f"{word}:*" for word in words)
    return [str(r[0]) for r in conn.execute(
        "SELECT name FROM customers WHERE search @@ to_tsquery('simple', %s) "
        "ORDER BY ts_rank(search, to_tsquery('simple', %s)) DESC, lower(name), id",
        [query, query])]


@pytest.mark.parametrize(("typed", "found"), [
    ("ann smi", "Ann Smith"),
    ("zoe", "Zoë Lambert"),
    ("ZOË", "Zoë Lambert"),
    ("mul", "Jürgen Müller"),
    ("jose garc", "José García"),
    ("o'brien", "Siobhán O'Brien"),
    ("u1234@ex", "Pat Example"),
    ("0199", "Pat Example"),
    ("555-0199", "Pat Example"),
])
def test_postgres_customer_search(searchable: psycopg.Connection[tuple[object, ...]],
                                  typed: str, found: str) -> None:
    results = pg_search(searchable, typed)
    assert results and results[0] == found, results
    assert pg_search(searchable, "smith jones") == []


@pytest.fixture(scope="module")
def searchable() -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    with postgres_database() as pg:
        for name, email, phone in [
            ("Ann Smith", "ann@example.org", "+1 212 555 0101"),
            ("Annabel Jones", "aj@example.org", ""),
            ("Zoë Lambert", "", "555 0177"),
            ("Jürgen Müller", "jm@example.de", ""),
            ("José García", "jose@example.es", ""),
            ("Siobhán O'Brien", "", ""),
            ("Pat Example", "u1234@example.org", "555-0199")]:
            pg.execute("INSERT INTO customers (name, email, phone, created_at) "
                       "VALUES (%s, %s, %s, 't')", [name, email, phone])
        yield pg
