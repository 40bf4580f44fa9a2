"""A ticket printed on the preview printer, scanned from its picture at the gate:
ADMIT, then ALREADY IN; and the same through `boxoffice scan --image`."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import cv2

from core.gate import checkin
from core.people.users import get_user
from core.store.schema import open_database
from core.venue import performances
from hardware.qr import make_decoder
from tests.support.fixture_types import Cli


def test_a_printed_ticket_scans_from_its_picture(cli: Cli, demo_path: Path, tmp_path: Path) -> None:
    prints = tmp_path / "prints"
    code, output = cli("sell", "--user", "sam", "--pin", "1111", "--performance", "3",
                       "--ga", "FIELD:1", "--tender", "cash", "--printer", f"preview:{prints}",
                       "--json")
    assert code == 0, output
    ticket = json.loads(output)["tickets"][0]
    picture = next(p for p in sorted(prints.glob("*.png")) if "ticket" in p.name)
    (scanned,) = make_decoder("zxing").decode(cv2.imread(str(picture), cv2.IMREAD_GRAYSCALE))
    assert scanned == ticket["code"]

    db = open_database(demo_path)
    kick_off = performances.get_performance(db, 3).starts_at
    gate = checkin.open_gate(db, get_user(db, "gia"), 3, "North")
    first = checkin.scan(db, gate, scanned, now=kick_off - timedelta(minutes=30), nonce="a")
    again = checkin.scan(db, gate, scanned, now=kick_off - timedelta(minutes=29), nonce="b")
    assert (first.word, again.word) == ("ADMIT", "ALREADY IN")
    assert "North" in again.detail

    code, output = cli("scan", "--user", "gia", "--pin", "2222", "--performance", "3",
                       "--gate", "South", "--mode", "status", "--image", str(picture),
                       "--json")
    assert code == 0, output
    assert json.loads(output)["ticket_id"] == ticket["id"]
