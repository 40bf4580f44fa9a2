"""`boxoffice db`: which engine and database a box office runs on, and its migrations
(docs/postgresql.md)."""

from __future__ import annotations

import json

import click

from core.store.db import redacted
from core.store.schema import applied_migrations
from tui.cli.context import cli_context, open_db


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
