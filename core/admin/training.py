"""Training mode: a separate database that looks like the real one and can never count.

`boxoffice --training` works on `<database name>-training.db` beside the real database.
The first time, it is made as a copy of the real database through the backup API (same
venues, events, prices, holds, users and PINs, and the sales so far), then marked:

- a `training` row in its settings says so, for every screen, ticket, receipt and report
  to print TRAINING (`is_training`), and for `restore` to refuse it over a real database;
- it gets a new `database_id`, so a gate pack exported from it is foreign to the real
  database (`foreign_pack`) and its files never mix with the real one's;
- its signing keys are dropped and a new key is made beside it (never in the configured
  `[tickets] key_dir`), so a training ticket's code fails the signature check at every
  real gate, and a real ticket's code fails at a training gate.

Nothing is ever copied back: the real database's reports never see a training sale.
`reset_training_database` throws the copy away and makes it afresh.
"""

from __future__ import annotations

import dataclasses
import secrets
from datetime import datetime
from pathlib import Path

from core import clock
from core.config import Config, DatabaseConfig
from core.errors import BoxOfficeError
from core.store import journal
from core.store.backup import backup
from core.store.db import Database, write
from core.store.schema import open_database


def is_training(db: Database) -> bool:
    """Whether this is a training database (marked inside itself)."""
    return db.execute("SELECT 1 FROM settings WHERE key = 'training' AND value = '1'"
                      ).fetchone() is not None


def training_path(database: Path) -> Path:
    """The training database that belongs to a real one: `<stem>-training<suffix>`."""
    return database.with_name(f"{database.stem}-training{database.suffix or '.db'}")


def training_config(config: Config, database: Path) -> Config:
    """The config a training session runs with: its own database, and its signing key
    beside it (a configured key_dir holds the real keys)."""
    return dataclasses.replace(
        config, database=DatabaseConfig(path=database),
        tickets=dataclasses.replace(config.tickets, key_dir=""))


def mark_training(db: Database, *, source: str, now: datetime | None = None
                  ) -> None:
    """Make `db` a training database: the mark, a new identity, no signing keys."""
    with write(db):
        db.execute("INSERT INTO settings (key, value) VALUES ('training', '1') "
                   "ON CONFLICT (key) DO UPDATE SET value = '1'")
        db.execute("INSERT INTO settings (key, value) VALUES ('database_id', ?) "
                   "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                   [secrets.token_hex(8)])
        db.execute("DELETE FROM signing_keys")
        journal.append(db, actor="system", action="training.start", subject="database",
                       data={"copied_from": source}, at=now)


def prepare_training_database(real: Path, *, now: datetime | None = None) -> Path:
    """The training database for `real`, made (and marked) the first time; returns its
    path. Raises BoxOfficeError `not_training` when a file with the training name exists
    but is not marked as one (it is left alone), and what `backup` raises."""

    target = training_path(real)
    if target.exists():
        db = open_database(target)
        try:
            if not is_training(db):
                raise BoxOfficeError(f"{target} exists but is not a training database; "
                                     "move it away", code="not_training")
        finally:
            db.close()
        return target
    if real.exists():
        source = open_database(real)   # brought up to date first, so the copy is current
        try:
            backup(source, target, actor="training", now=now)
        finally:
            source.close()
    db = open_database(target)
    try:
        mark_training(db, source=str(real) if real.exists() else "", now=now)
    finally:
        db.close()
    return target


def reset_training_database(real: Path, *, now: datetime | None = None,
                            actor: str = "system") -> Path:
    """Throw the training database away (and its keys' registration) and copy it afresh
    from the real one; the real database's journal says who did it (`actor`, signed in
    by core.admin.access.sign_in_for). Raises BoxOfficeError `not_training` if the file
    there is not a training database."""

    target = training_path(real)
    if target.exists():
        db = open_database(target)
        try:
            if not is_training(db):
                raise BoxOfficeError(f"{target} is not a training database; it was left "
                                     "alone", code="not_training")
        finally:
            db.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
    path = prepare_training_database(real, now=now or clock.now())
    db = open_database(real)   # journaled in the real database: who threw it away
    try:
        journal.append(db, actor=actor, action="training.reset", subject="database",
                       data={"path": str(path)}, at=now)
    finally:
        db.close()
    return path
