"""`boxoffice backup [DEST]`, `boxoffice restore FILE` and `boxoffice training reset`:
the database file itself. These are the host administrator's commands (whoever may read
and replace the file), so they ask for no box office PIN."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from core import clock
from core.config import backup_dir
from core.store.backup import BackupError, backup, backup_name, check_backup, restore
from tui.cli.context import cli_context


def _fail(error: BackupError) -> NoReturn:
    click.echo(f"error [{error.code}]: {error.message}", err=True)
    sys.exit(1)


@click.command("backup")
@click.argument("dest", required=False, type=click.Path())
@click.option("--db", "db_path", type=click.Path(dir_okay=False))
def backup_command(dest: str | None, db_path: str | None) -> None:
    """Copy the database through SQLite's backup API (safe while windows sell), check the
    copy with integrity_check and the journal, fsync it. DEST is a file or a directory;
    default: the [backup] directory, named after the database and the time."""
    database = cli_context().db_path(db_path)
    now = clock.now()
    target = Path(dest) if dest else (backup_dir(cli_context().config, database)
                                      / backup_name(database, now, "manual"))
    try:
        result = backup(database, target, actor="cli", now=now)
    except BackupError as error:
        _fail(error)
    click.echo(f"backup OK: {result.path} ({result.size_bytes:,} bytes, integrity_check ok, "
               f"journal {result.journal_rows} rows verified)")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--db", "db_path", type=click.Path(dir_okay=False),
              help="The database to replace (default: the configured one).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(file: str, db_path: str | None, yes: bool) -> None:
    """Replace the database with a backup, after checking the backup (integrity_check, a
    box office database, its journal's chain). The replaced database is kept aside as a
    backup. Stop every window on the database first."""
    database = cli_context().db_path(db_path)
    try:
        checked = check_backup(file)
    except BackupError as error:
        _fail(error)
    click.echo(f"{file}: integrity_check ok, journal {checked.journal_rows} rows verified"
               + (", a TRAINING database" if checked.training else ""))
    if database.exists() and not yes and not click.confirm(
            f"Replace {database} with it? (the current database is kept aside)"):
        click.echo("Nothing changed.")
        sys.exit(1)
    try:
        result = restore(file, database, confirm=True, actor="cli",
                         now=clock.now())
    except BackupError as error:
        _fail(error)
    if result.replaced_copy:
        click.echo(f"The replaced database is kept as {result.replaced_copy}")
    click.echo(f"restored {database} from {file}")


@click.group("training")
def training() -> None:
    """The training database (see boxoffice --training)."""


@training.command("reset")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def training_reset(yes: bool) -> None:
    """Throw the training database away and copy it afresh from the real one."""
    from core.admin.training import reset_training_database, training_path
    from core.errors import BoxOfficeError

    obj = cli_context()
    real = obj.db_path()
    if obj.training:
        click.echo("boxoffice: run `training reset` without --training", err=True)
        sys.exit(2)
    if not yes and not click.confirm(f"Throw away {training_path(real)} and copy it "
                                     f"afresh from {real}?"):
        click.echo("Nothing changed.")
        sys.exit(1)
    try:
        path = reset_training_database(real)
    except BoxOfficeError as error:
        click.echo(f"error [{error.code}]: {error.message}", err=True)
        sys.exit(1)
    click.echo(f"training database: {path}")
