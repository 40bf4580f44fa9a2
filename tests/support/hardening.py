"""Helpers for the hardening tests: run `boxoffice` and prove it neither crashed nor
changed the database."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from core.store.db import connect
from tui.cli import main


@dataclass
class Outcome:
    code: int
    output: str

    def refused(self, *words: str) -> None:
        """A clean refusal: a non-zero status, no traceback, every word in the message."""
        assert self.code != 0, self.output
        assert "Traceback" not in self.output, self.output
        for word in words:
            assert word in self.output, (word, self.output)


def run_cli(config: Path, *args: str, input: str | bytes | None = None) -> Outcome:
    """`boxoffice --config CONFIG ARGS`; an exception other than SystemExit fails the test."""
    result = CliRunner().invoke(main, ["--config", str(config), *args], input=input)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"boxoffice {' '.join(args)} raised "
                             f"{result.exception!r}:\n{result.output}") from result.exception
    return Outcome(result.exit_code, result.output)


def checksum(path: Path) -> str:
    """A digest of every row of every table, leaving out the journal's sign-in rows (a
    sign-in is journaled whatever the command does next) and what they move. `path` is
    the database's location: a file, or on PostgreSQL its URL."""
    db = connect(path, check_location=False)
    try:
        digest = hashlib.sha256()
        for table in db.table_names():
            if table in ("sqlite_sequence", "journal_head"):   # moved by the sign-in row
                continue
            where = " WHERE action NOT LIKE 'login%'" if table == "journal" else ""
            digest.update(table.encode())
            for line in sorted(repr(tuple(row)) for row in db.execute(
                    f"SELECT * FROM {table}{where}")):
                digest.update(line.encode())
        return digest.hexdigest()
    finally:
        db.close()
