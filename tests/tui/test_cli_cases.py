"""`boxoffice case ...` and `boxoffice customer duplicates|merge` as a script would use
them: the full path of a complaint, and every bad input a clear error with nothing done."""

from __future__ import annotations

import json
from pathlib import Path

from pypdf import PdfReader

from core.sales import customers
from core.store.schema import open_database
from tests.support.constants import FIXED_NOW
from tests.support.fixture_types import Cli
from tests.support.selling_helpers import user

CORA = ("--user", "cora", "--pin", "3333")
SAM = ("--user", "sam", "--pin", "1111")


def test_a_case_from_open_to_letter(cli: Cli, demo_path: Path, tmp_path: Path) -> None:
    code, output = cli("case", "open", "--kind", "complaint", "--channel", "phone",
                       "--category", "Seating", "--description", "Armrest broken",
                       "--priority", "high", "--assign", "cora", "--follow-up", "+2", *SAM)
    assert code == 0 and "case 1 logged" in output
    code, output = cli("case", "list", "--json", *CORA)
    [listed] = json.loads(output)
    assert (listed["assignee"], listed["priority"], listed["status"]) == (
        "cora", "high", "open")
    assert cli("case", "note", "1", "called back", *CORA)[0] == 0
    code, output = cli("case", "assign", "1", "--status", "waiting", *CORA)
    assert code == 0 and "waiting" in output
    code, output = cli("case", "close", "1", "--disposition", "Fixed; vouchers sent.",
                       *CORA)
    assert code == 0 and "resolved" in output
    out = tmp_path / "letter.pdf"
    code, output = cli("case", "letter", "1", "--out", str(out), *CORA)
    assert code == 0
    assert "Fixed; vouchers sent." in PdfReader(str(out)).pages[0].extract_text()
    code, output = cli("case", "show", "1", *CORA)
    assert "called back" in output and "resolved: Fixed" in output


def test_bad_case_input_is_refused_and_changes_nothing(cli: Cli, demo_path: Path) -> None:
    for args, said in [
        (("case", "open", "--kind", "complaint", "--category", "X", "--description",
          "card 4111 1111 1111 1111", *SAM), "card_number"),
        (("case", "open", "--kind", "inquiry", "--category", "X", "--description", "Y",
          "--order", "999999", *SAM), "unknown_order"),
        (("case", "open", "--kind", "inquiry", "--category", "X", "--description", "Y",
          "--follow-up", "next tuesday", *SAM), "bad_follow_up"),
        (("case", "list", "--user", "gia", "--pin", "2222"), "permission_denied"),
        (("case", "show", "42", *SAM), "not_found"),
    ]:
        code, output = cli(*args)
        assert code == 1 and said in output, (args, output)
    db = open_database(demo_path)
    assert db.execute("SELECT count(*) FROM cases").fetchone()[0] == 0


def test_duplicates_listed_and_merged(cli: Cli, demo_path: Path) -> None:
    db = open_database(demo_path)
    sam = user(db, "sam")
    a = customers.create_customer(db, sam, "Ann Lee", email="ann@example.org", now=FIXED_NOW)
    b = customers.create_customer(db, sam, "ANN LEE", phone="5550123", now=FIXED_NOW)
    code, output = cli("customer", "duplicates", *SAM)
    assert code == 0 and f"#{a.id}" in output and "same name" in output
    code, output = cli("customer", "merge", str(a.id), str(b.id), *SAM)
    assert code == 0 and f"customer {b.id} merged into {a.id}" in output
    code, output = cli("customer", "merge", str(a.id), str(b.id), *SAM)
    assert code == 1 and "already_merged" in output
    code, output = cli("customer", "duplicates", *SAM)
    assert "no likely duplicates" in output


def test_consent_export_and_forget(cli: Cli, demo_path: Path, tmp_path: Path) -> None:
    db = open_database(demo_path)
    ann = customers.create_customer(db, user(db, "sam"), "Ann Lee", phone="5550123",
                                    now=FIXED_NOW)
    code, output = cli("customer", "consent", str(ann.id), "--set", "mail,email", *SAM)
    assert code == 0 and "contact by mail,email" in output
    code, output = cli("customer", "consent", str(ann.id), "--set", "fax", *SAM)
    assert code == 1 and "bad_consent" in output
    out = tmp_path / "ann.json"
    assert cli("customer", "export", str(ann.id), "--out", str(out), *SAM)[0] == 0
    assert json.loads(out.read_text())["customer"]["phone"] == "5550123"
    code, output = cli("customer", "forget", str(ann.id), *SAM)
    assert code == 1 and "confirm_required" in output
    code, output = cli("customer", "forget", str(ann.id), "--yes", *SAM)
    assert code == 0 and f"Anonymised customer {ann.id}" in output
