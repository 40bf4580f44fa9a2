"""Saved extracts from the command line, as a cron job uses them: saved once, run by name
with a moving day, and every bad input a clear error."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

from core.store.schema import open_database
from tests.support.constants import FIXED_NOW, ZONE
from tests.support.fixture_types import Cli
from tests.support.order_helpers import sell

CORA = ("--user", "cora", "--pin", "3333")


def test_a_nightly_extract_of_yesterdays_sales(cli: Cli, demo_path: Path,
                                               tmp_path: Path) -> None:
    db = open_database(demo_path)
    yesterday = FIXED_NOW - timedelta(days=1)
    sell(db, ["ORCH-B-101"], now=yesterday)
    sell(db, ["ORCH-B-102"], now=FIXED_NOW)
    db.close()
    code, output = cli("extract", "save", "nightly-sales", "--report", "sales",
                       "--date", "yesterday", "--format", "csv", *CORA)
    assert code == 0 and "sales, day yesterday as csv" in output
    code, output = cli("extract", "list", *CORA)
    assert "nightly-sales" in output
    out = tmp_path / "sales.csv"
    code, output = cli("extract", "run", "nightly-sales", "--output", str(out), *CORA)
    assert code == 0, output
    text = out.read_text()
    day = yesterday.astimezone(ZONE).date().isoformat()
    rows = list(csv.reader(io.StringIO(text)))
    assert any(day in cell for row in rows for cell in row)
    assert not any(FIXED_NOW.astimezone(ZONE).date().isoformat() in cell
                   for row in rows for cell in row)
    code, output = cli("extract", "delete", "nightly-sales", *CORA)
    assert code == 0
    code, output = cli("extract", "list", "--json", *CORA)
    assert json.loads(output) == []


def test_bad_extracts_are_refused(cli: Cli, demo_path: Path) -> None:
    for args, said in [
        (("extract", "save", "Bad Name!", "--report", "sales", *CORA), "bad_name"),
        (("extract", "save", "x", "--report", "nonsense", *CORA), "unknown_report"),
        (("extract", "save", "x", "--report", "sales", "--date", "someday", *CORA),
         "bad_day"),
        (("extract", "run", "missing", *CORA), "not_found"),
        (("extract", "list", "--user", "sam", "--pin", "1111"), "permission_denied"),
    ]:
        code, output = cli(*args)
        assert code == 1 and said in output, (args, output)
