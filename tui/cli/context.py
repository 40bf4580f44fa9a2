"""What every `boxoffice` command shares: the context the CLI loads once (config, which
database, which station), opening the database, signing in, the signing key, and errors
turned into one line (or a JSON object) and an exit status."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import click

from core.config import Config, database_location
from core.errors import BoxOfficeError
from core.gate import codes, keys
from core.people.models import User
from core.people.permissions import Override
from core.people.users import authenticate
from core.store.db import Database, Location, as_location, home_path, redacted


@dataclass
class Context:
    config: Config
    db_override: Location | None
    opened: Location = Path("boxoffice.db")
    training: bool = False      # --training: db_override is the training database
    station_option: str | None = None    # --station

    def station(self) -> str:
        """This window's station (drawer) name: --station, BOXOFFICE_STATION, [window]
        station, the terminal's name, window-1 (tui/station.py)."""
        from tui.station import StationError, station_name

        try:
            return station_name(self.station_option, self.config.window.station)
        except StationError as error:
            fail(str(error))

    def db_path(self, explicit: str | None = None) -> Location:
        """The database: --db (a SQLite file or a postgresql:// URL), or the config's."""
        if explicit:
            if self.training:
                fail("with --training, give the database before it: "
                      "boxoffice --db PATH --training ...")
            return as_location(explicit)
        return self.db_override or database_location(self.config)

    def home(self) -> Path:
        """What the files beside the opened database are named after (home_path)."""
        source = self.config.source
        return home_path(self.opened, source.parent if source else None)


def fail(message: str, code: int = 2) -> NoReturn:
    click.echo(f"boxoffice: {message}", err=True)
    sys.exit(code)


def open_or_fail(path: Location, *, create: bool = False) -> Database:
    """The database, migrated; or a readable message and exit status 2. Only `create`
    (demo, user init) makes a new one: a mistyped --db must not start an empty box office."""
    from core.store.schema import open_database

    if not create and isinstance(path, Path) and not path.exists():
        fail(f"there is no database at {path} (check --db or [database] path in the "
             "config); `boxoffice user init NAME --name ...` creates a new one, "
             "`boxoffice demo` a demo")
    try:
        return open_database(path)
    except BoxOfficeError as error:
        fail(error.message)
    except (sqlite3.Error, OSError) as error:   # not a database, unreadable, ...
        fail(f"cannot open the database {path}: {error}")
    except Exception as error:   # the PostgreSQL driver's, without importing it here
        if type(error).__module__.startswith("psycopg"):
            fail(f"cannot open the database {redacted(str(path))}: {error}")
        raise


def cli_context() -> Any:
    return click.get_current_context().obj


@contextmanager
def reported(as_json: bool) -> Iterator[None]:
    """Turn a core error into one line (or a JSON object) and exit status 1."""
    try:
        yield
    except BoxOfficeError as error:
        if as_json:
            click.echo(json.dumps({"error": error.code, "message": error.message}))
        else:
            click.echo(f"error [{error.code}]: {error.message}", err=True)
        sys.exit(1)


def open_db(db_path: str | None, *, create: bool = False) -> Database:
    """The database --db (or the config) names; `create` only for commands that make one."""
    path = cli_context().db_path(db_path)
    cli_context().opened = path   # the signing key lives beside it (see ticket_key_dir)
    return open_or_fail(path, create=create)


def sign_in(db: Database, username: str, pin: str) -> User:
    return authenticate(db, username, pin)


def ticket_signer(db: Database) -> codes.Signer:
    from core.admin.training import is_training, training_config
    from core.config import ticket_key_dir
    from core.store.schema import database_id

    config = cli_context().config
    if is_training(db):   # never the real key directory, whatever the config says
        config = training_config(config, cli_context().home())
    key_dir = ticket_key_dir(config, cli_context().home(), database_id(db))
    keys.ensure_signing_key(db, key_dir)
    return keys.load_signer(db, key_dir)


def money_text(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def override_of(supervisor: str | None, pin: str | None) -> Override | None:
    return Override(supervisor, pin or "") if supervisor else None


def signed_in_options(command: Any) -> Any:
    """--db, --user and --pin (who does it; core checks their permission) and --json."""
    for decorator in reversed([
        click.option("--db", "db_path", type=click.Path(dir_okay=False)),
        click.option("--user", "username", required=True, help="Who does it."),
        click.option("--pin", required=True),
        click.option("--json", "as_json", is_flag=True),
    ]):
        command = decorator(command)
    return command


def done(as_json: bool, message: str, **data: object) -> None:
    """What a command did: the message, or {"ok": true, ...} with --json."""
    click.echo(json.dumps({"ok": True, **data}) if as_json else message)
