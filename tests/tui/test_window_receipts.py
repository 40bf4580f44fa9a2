"""Money on paper matches the money taken: every receipt and slip the window prints is
read back from its ESC/POS bytes, and its lines must add up to its total and its tenders
(plus what is still due) to the total."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from core.config import Config, PrinterConfig
from core.gate import codes
from core.sales import aftersale, carts, checkout, customers, models, orders
from core.sales.tenders import Tender
from core.store.db import Database
from core.venue import performances
from hardware.escpos_render import text_lines
from hardware.printer_spec import PrinterStatus
from tests.support.constants import FIXED_NOW
from tests.support.fixture_types import Cli
from tests.support.selling_helpers import HOLD, STATION, cart_with, hall_performance, user
from tui.printing import print_order, print_slip

NOW = FIXED_NOW
MONEY = re.compile(r"USD (-?[\d,]+\.\d\d)$")


class PaperPrinter:
    """A printer that keeps every job as the lines it prints."""

    name = "paper"
    profile = "TM-T88V"
    paper_mm = 80

    def __init__(self) -> None:
        self.jobs: list[bytes] = []

    def send(self, job: bytes) -> None:
        self.jobs.append(job)

    def status(self) -> PrinterStatus:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def texts(self) -> list[list[str]]:
        """The receipts and slips (not tickets, not the drawer kick), as their lines."""
        found = []
        for job in self.jobs:
            lines = text_lines(job)
            if any(line in ("RECEIPT", "EXCHANGE", "REFUND", "VOID") for line in lines):
                found.append(lines)
        return found

    @property
    def kicks(self) -> int:
        return sum(job.startswith(b"\x1bp") for job in self.jobs)    # ESC p: drawer kick


def cents(line: str) -> int | None:
    found = MONEY.search(line)
    return None if found is None else int(found.group(1).replace(",", "").replace(".", ""))


def adds_up(lines: list[str]) -> dict[str, int]:
    """Check one receipt's sums; returns its total, tenders and balance."""
    rules = [i for i, line in enumerate(lines) if line and set(line) == {"-"}]
    items = [c for line in lines[rules[0] + 1:rules[1]] if (c := cents(line)) is not None]
    total_line = lines[rules[2] - 1]
    total = cents(total_line)
    assert total is not None, lines
    assert sum(items) == total, ("lines do not add up to the total", lines)
    end = rules[3] if len(rules) > 3 else len(lines)
    tenders = balance = 0
    for line in lines[rules[2] + 1:end]:
        amount = cents(line)
        if amount is None or line.startswith("  ") or line.startswith("NET PAID"):
            continue
        if "(PENDING)" in line:
            continue
        if line.startswith(("BALANCE DUE", "NOT PAID, NOT PAID BACK")):
            balance += amount
        else:
            tenders += amount
    assert tenders + balance == total, ("tenders do not come to the total", lines)
    return {"total": total, "tenders": tenders, "balance": balance}


@pytest.fixture
def paper() -> PaperPrinter:
    return PaperPrinter()


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return Config(printer=PrinterConfig(backend="preview", path=str(tmp_path)))


def signer(db: Database, tmp_path: Path) -> codes.Signer:
    from core.gate import keys

    keys.ensure_signing_key(db, tmp_path / "keys")
    return keys.load_signer(db, tmp_path / "keys")


def sell(db: Database, seats: list[str], *, popcorn: int = 0,
         delivery: str = "print", customer_id: int | None = None) -> models.Order:
    sam = user(db, "sam")
    cart_id = cart_with(db, sam, hall_performance(db), seats, NOW)
    if popcorn:
        carts.set_goods(db, sam, cart_id, "POPCORN", popcorn, NOW, hold=HOLD)
    total = carts.view_cart(db, cart_id).total_cents
    return checkout.checkout(db, sam, cart_id, [Tender("cash", total, tendered_cents=total + 500)],
                           station=STATION, now=NOW, delivery=delivery,
                           customer_id=customer_id)


def test_a_will_call_receipt_lists_the_tickets_and_the_popcorn_and_adds_up(
        demo_db: Database, config: Config, paper: PaperPrinter,
        tmp_path: Path) -> None:
    who = customers.create_customer(demo_db, user(demo_db, "sam"), "Wanda Waits", now=NOW)
    order = sell(demo_db, ["ORCH-A-101", "ORCH-A-102"], popcorn=1, delivery="will_call",
                 customer_id=who.id)
    result = print_order(demo_db, config, order, signer(demo_db, tmp_path), paper,
                         seller="Sam", now=NOW, tickets=False, kick_drawer=True)
    assert result.complete and result.printed == ()       # the tickets wait at will-call
    [receipt] = paper.texts()
    sums = adds_up(receipt)
    assert sums["total"] == order.value_cents == order.paid_cents > 0
    text = "\n".join(receipt)
    assert "ORCH A-101" in text and "ORCH A-102" in text and "Popcorn" in text
    assert receipt[0] != "RECEIPT"                          # the venue's name heads it
    assert paper.kicks == 1


def test_an_exchange_slip_shows_what_changed_with_each_performance(
        demo_db: Database, config: Config, paper: PaperPrinter,
        tmp_path: Path) -> None:
    sam, cora = user(demo_db, "sam"), user(demo_db, "cora")
    order = sell(demo_db, ["ORCH-A-101", "ORCH-A-102"])
    first, second = order.tickets
    aftersale.refund(demo_db, cora, order.id, reason="one cannot come", station=STATION,
                  now=NOW, ticket_ids=[first.id])
    before = orders.get_order(demo_db, order.id)
    later = demo_db.execute(
        "SELECT p.id FROM performances p JOIN venues v ON v.id = p.venue_id WHERE v.kind = "
        "'hall' ORDER BY p.starts_at LIMIT 1 OFFSET 1").fetchone()[0]
    cart_id = cart_with(demo_db, sam, later, ["ORCH-B-105"], NOW)
    new_total = carts.view_cart(demo_db, cart_id).total_cents
    difference = new_total - (second.base_cents + second.fee_cents + second.tax_cents)
    tenders = ([Tender("cash", difference, tendered_cents=difference)] if difference > 0
               else [])
    after = aftersale.exchange(demo_db, cora, order.id, [second.id], cart_id, tenders,
                            reason="another night", station=STATION, now=NOW)
    result = print_slip(demo_db, config, before, after, "exchange", paper, seller="Cora",
                        now=NOW)
    assert result.complete
    [slip] = paper.texts()
    sums = adds_up(slip)
    assert sums["total"] == difference
    text = "\n".join(slip)
    assert "EXCHANGE" in slip and "RETURNED" in slip and "NEW" in slip
    assert "ORCH A-102" in text and "ORCH B-105" in text
    assert "ORCH A-101" not in text                        # refunded before: not this change
    names = [line.strip() for line in slip if line.startswith("  ") and "," in line]
    assert len(set(names)) == 2                            # each ticket with its performance
    # the whole order's receipt now: only the live ticket in the total, the rest named
    paper.jobs.clear()
    print_order(demo_db, config, after, signer(demo_db, tmp_path), paper, seller="Cora",
                now=NOW, tickets=False)
    [receipt] = paper.texts()
    assert adds_up(receipt)["total"] == after.value_cents == new_total
    assert "ORCH A-101 ADULT refunded" in receipt[-3:] + receipt[-2:] or any(
        "A-101 ADULT refunded" in line for line in receipt)


@pytest.mark.parametrize("kind", ["refund", "void"])
def test_refund_and_void_slips_add_up_print_two_copies_and_open_the_drawer(
        demo_db: Database, config: Config, paper: PaperPrinter,
        kind: str) -> None:
    cora = user(demo_db, "cora")
    before = sell(demo_db, ["ORCH-A-101", "ORCH-A-102"], popcorn=2)
    if kind == "refund":
        popcorn = before.goods[0]
        after = aftersale.refund(demo_db, cora, before.id, reason="rain", station=STATION,
                              now=NOW, ticket_ids=[before.tickets[0].id],
                              goods={popcorn.id: 1})
    else:
        after = aftersale.void(demo_db, cora, before.id, reason="wrong show", station=STATION,
                            now=NOW + timedelta(minutes=5), zone=Config().zone)
    result = print_slip(demo_db, config, before, after, kind, paper, seller="Cora", now=NOW)
    assert result.complete
    slips = paper.texts()
    assert [s[s.index(kind.upper()) + 1] for s in slips] == ["CUSTOMER COPY", "DRAWER COPY"]
    for slip in slips:
        sums = adds_up(slip)
        assert sums["total"] == after.paid_cents - before.paid_cents < 0
    assert paper.kicks == 1


def test_order_show_names_each_tickets_performance(cli: Cli, demo_db: Database
                                                   ) -> None:
    order = sell(demo_db, ["ORCH-A-101"])
    code, output = cli("order", "show", order.number)
    assert code == 0, output
    show = performances.get_performance(demo_db, order.tickets[0].performance_id)
    when = show.starts_at.astimezone(Config().zone)
    assert f"      for {show.event_name}, {when:%a %d %b %Y %H:%M}" in output
