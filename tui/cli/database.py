"""`boxoffice db`: which engine and database a box office runs on, and its migrations
(docs/postgresql.md)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from core import clock
from core.config import ticket_key_dir
from core.store.db import home_path, redacted
from core.store.schema import applied_migrations, database_id
from tui.cli.context import cli_context, fail, open_db, reported


@click.group("db")
def database_group() -> None:
    """The database itself: its engine and schema, and moving it to PostgreSQL."""


@database_group.command("status")
@click.option("--db", "db_path", help="A SQLite file or a postgresql:// URL.")
@click.option("--json", "as_json", is_flag=True)
def db_status(db_path: str | None, as_json: bool) -> None:
    """The engine, the database (a URL without its password) and the migrations applied
    (opening it applies any that are pending)."""
    db = open_db(db_path)
    try:
        applied = applied_migrations(db)
        where = redacted(str(cli_context().opened))
        if as_json:
            click.echo(json.dumps({"engine": db.engine, "database": where,
                                   "migrations": applied}))
            return
        click.echo(f"{db.engine}: {where}")
        click.echo(f"schema: {len(applied)} migrations, the last {applied[-1]}")
    finally:
        db.close()


@database_group.command("copy")
@click.option("--to", "target", required=True, envvar="BOXOFFICE_COPY_TO",
              help="The empty PostgreSQL database: postgresql://user@host/name (or "
                   "BOXOFFICE_COPY_TO; a password is better in ~/.pgpass or PGPASSWORD).")
@click.option("--db", "db_path", type=click.Path(dir_okay=False),
              help="The SQLite box office to copy (default: the configured one).")
@click.option("--user", "username", required=True, envvar="BOXOFFICE_USER",
              help="An admin of the box office (or BOXOFFICE_USER).")
@click.option("--pin", required=True, envvar="BOXOFFICE_PIN",
              help="Their PIN (or BOXOFFICE_PIN).")
@click.option("--json", "as_json", is_flag=True)
def db_copy(target: str, db_path: str | None, username: str, pin: str,
            as_json: bool) -> None:
    """Copy this SQLite box office into an empty PostgreSQL database, every table with
    its ids, and check it before committing: the row counts of every table and the
    journal's chain and head. A target that holds anything is refused. Stop every
    window first; afterwards point [database] url at the target."""
    from core.admin.access import sign_in_for
    from core.store.copy import copy_database

    source = cli_context().db_path(db_path)
    if not isinstance(source, Path):
        fail(f"{redacted(str(source))} is already PostgreSQL: copy from a SQLite file "
             "(--db PATH)")
    if not source.exists():
        fail(f"there is no database at {source} (check --db or [database] path)")
    with reported(as_json):
        actor = sign_in_for(source, username, pin, "user_admin")
    db = open_db(str(source))
    started = time.monotonic()
    try:
        with reported(as_json):
            result = copy_database(db, target, actor=actor, now=clock.now())
        keys_now, keys_then = _key_dirs(source, target, database_id(db))
    finally:
        db.close()
    seconds = round(time.monotonic() - started, 1)
    if as_json:
        click.echo(json.dumps({
            "ok": True, "source": result.source, "target": result.target,
            "tables": result.tables, "rows": result.rows, "seconds": seconds,
            "journal": {"rows": result.journal_rows, "head_id": result.head_id,
                        "head_hash": result.head_hash, "copy_row": result.copy_row},
            "signing_keys": {"from": str(keys_now), "to": str(keys_then)}}))
        return
    click.echo(f"copied {result.source} to {result.target} in {seconds} s")
    width = max(len(name) for name in result.tables)
    for name, rows in sorted(result.tables.items()):
        if rows:
            click.echo(f"  {name:<{width}}  {rows:>9,}")
    empty = sum(1 for rows in result.tables.values() if not rows)
    click.echo(f"{len(result.tables)} tables ({empty} empty), {result.rows:,} rows: every "
               "count equals the source's")
    click.echo(f"journal: {result.journal_rows:,} rows, chain and pins verified; head "
               f"#{result.head_id} {result.head_hash} (the source's); the copy is "
               f"journaled as row #{result.copy_row}")
    if keys_now != keys_then:
        click.echo(f"Ticket signing keys are files, not rows: copy {keys_now} to "
                   f"{keys_then} (cp -a keeps them private), or set [tickets] key_dir, "
                   "before tickets are printed or checked on PostgreSQL.")
    click.echo(f"Next: stop using {result.source} (keep it as it is: the box office on "
               f"the day it moved) and point [database] url in the config at "
               f"{result.target}, its password kept out of the file (~/.pgpass or "
               "PGPASSWORD). Back it up with PostgreSQL's tools from now on: "
               "docs/postgresql-runbook.md.")


def _key_dirs(source: Path, target: str, database: str) -> tuple[Path, Path]:
    """Where the signing keys are for the SQLite file, and where the box office looks
    for them once [database] url names the target (both [tickets] key_dir when set)."""
    config = cli_context().config
    beside = config.source.parent if config.source else None
    return (ticket_key_dir(config, source, database),
            ticket_key_dir(config, home_path(target, beside), database))
