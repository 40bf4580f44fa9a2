"""`boxoffice backup [DEST]`, `boxoffice restore FILE` and `boxoffice training reset`:
the database file itself. Anyone with shell access can copy the file, but these commands
change or copy the box office, so each asks for a sign-in and is journaled under it:
restore and training reset an admin's (user_admin), backup a coordinator's or admin's
(report_access)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from core import clock
from core.admin.access import sign_in_for
from core.config import backup_dir
from core.errors import BoxOfficeError
from core.store.backup import (
    POSTGRESQL_BACKUPS,
    BackupError,
    backup,
    backup_name,
    check_backup,
    restore,
)
from tui.cli.context import cli_context


def _fail(error: BoxOfficeError) -> NoReturn:
    click.echo(f"error [{error.code}]: {error.message}", err=True)
    sys.exit(1)


def _signed_in(database: Path, username: str, pin: str, permission: str,
               backup_file: Path | None = None) -> str:
    try:
        return sign_in_for(database, username, pin, permission, backup_file=backup_file)
    except BoxOfficeError as error:
        _fail(error)


_user = click.option("--user", "username", required=True, envvar="BOXOFFICE_USER",
                     help="Who does it (or BOXOFFICE_USER).")
_pin = click.option("--pin", required=True, envvar="BOXOFFICE_PIN",
                    help="Their PIN (or BOXOFFICE_PIN).")


@click.command("backup")
@click.argument("dest", required=False, type=click.Path())
@click.option("--db", "db_path", type=click.Path(dir_okay=False))
@_user
@_pin
def backup_command(dest: str | None, db_path: str | None, username: str, pin: str) -> None:
    """Copy the database through SQLite's backup API (safe while windows sell), check the
    copy with integrity_check and the journal, fsync it. DEST is a file or a directory;
    default: the [backup] directory, named after the database and the time."""
    database = cli_context().db_path(db_path)
    if not isinstance(database, Path):
        _fail(BackupError(POSTGRESQL_BACKUPS, code="postgresql"))
    actor = _signed_in(database, username, pin, "report_access")
    now = clock.now()
    target = Path(dest) if dest else (backup_dir(cli_context().config, database)
                                      / backup_name(database, now, "manual"))
    try:
        result = backup(database, target, actor=actor, now=now)
    except BackupError as error:
        _fail(error)
    click.echo(f"backup OK: {result.path} ({result.size_bytes:,} bytes, integrity_check ok, "
               f"journal {result.journal_rows} rows verified)")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--db", "db_path", type=click.Path(dir_okay=False),
              help="The database to replace (default: the configured one).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@_user
@_pin
def restore_command(file: str, db_path: str | None, yes: bool, username: str,
                    pin: str) -> None:
    """Replace the database with a backup, after checking the backup (integrity_check, a
    box office database, its journal's chain). The replaced database is kept aside as a
    backup. Stop every window on the database first."""
    database = cli_context().db_path(db_path)
    if not isinstance(database, Path):
        _fail(BackupError(POSTGRESQL_BACKUPS, code="postgresql"))
    try:   # first: a gate pack or a broken file is refused before anyone signs in
        checked = check_backup(file)
    except BackupError as error:
        _fail(error)
    actor = _signed_in(database, username, pin, "user_admin", Path(file))
    click.echo(f"{file}: integrity_check ok, journal {checked.journal_rows} rows verified"
               + (", a TRAINING database" if checked.training else ""))
    if database.exists() and not yes and not click.confirm(
            f"Replace {database} with it? (the current database is kept aside)"):
        click.echo("Nothing changed.")
        sys.exit(1)
    try:
        result = restore(file, database, confirm=True, actor=actor, now=clock.now())
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
@_user
@_pin
def training_reset(yes: bool, username: str, pin: str) -> None:
    """Throw the training database away and copy it afresh from the real one."""
    from core.admin.training import reset_training_database, training_path

    obj = cli_context()
    real = obj.db_path()
    if not isinstance(real, Path):
        click.echo("boxoffice: training copies are SQLite files; this box office is on "
                   "PostgreSQL", err=True)
        sys.exit(2)
    if obj.training:
        click.echo("boxoffice: run `training reset` without --training", err=True)
        sys.exit(2)
    actor = _signed_in(real, username, pin, "user_admin")
    if not yes and not click.confirm(f"Throw away {training_path(real)} and copy it "
                                     f"afresh from {real}?"):
        click.echo("Nothing changed.")
        sys.exit(1)
    try:
        path = reset_training_database(real, actor=actor, now=clock.now())
    except BoxOfficeError as error:
        _fail(error)
    click.echo(f"training database: {path}")
