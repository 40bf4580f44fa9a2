"""Ticket, receipt and report layouts: what the printer would print, read back.

A real sale from the demo database is printed; the QR code is read back from the native
command and from the rendered picture, and verified as a ticket code."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from core.gate import codes, keys
from core.money import TenderError, contains_card_number
from core.sales import aftersale, carts, checkout, models, orders
from core.sales.tenders import Tender
from core.store.db import Database
from core.venue.performances import get_performance
from hardware.escpos_render import native_qr_payloads, printed_lines, render, text_lines
from hardware.tickets import (
    ReceiptPrint,
    TenderLine,
    TicketPrint,
    drawer_kick_job,
    format_money,
    format_when,
    paper_geometry,
    receipt_job,
    report_job,
    supports_native_qr,
    ticket_job,
)
from tests.support.constants import FIXED_NOW, REPO, ZONE
from tests.support.selling_helpers import HOLD, STATION, cart_with, hall_performance, seat, user
from tui.print_jobs import receipt_from_order, tickets_from_order

HOUSE = ("No refunds or exchanges. Latecomers are seated at a suitable break.",)
PAPERS = [("TM-T88V", 80), ("TM-T20II", 80), ("TM-T88V", 58), ("POS-5890", 58)]


@dataclasses.dataclass
class Sale:
    db: object
    order: models.Order
    signer: codes.Signer
    tickets: list[TicketPrint]

    def verify(self, text: str) -> codes.VerifiedToken:
        return codes.verify_token(text, keys.public_keys(self.db),  # type: ignore[arg-type]
                                   keys.revoked_set(self.db))  # type: ignore[arg-type]


@pytest.fixture
def sale(demo_db: Database, tmp_path: Path) -> Sale:
    """Cora sells ORCH A-101 (adult) and A-103 (comp), paid by card and cash with change,
    then reprints the comp ticket twice."""
    cora = user(demo_db, "cora")
    show = hall_performance(demo_db)
    cart_id = cart_with(demo_db, cora, show, ["ORCH-A-101"], FIXED_NOW)
    carts.add_seats(demo_db, cora, cart_id, show, [seat(demo_db, show, "ORCH-A-103")], "COMP",
                    FIXED_NOW, HOLD)
    total = carts.view_cart(demo_db, cart_id).total_cents
    order = checkout.checkout(demo_db, cora, cart_id, [
        Tender("card", 10000, card_brand="VISA", card_last4="4242", approval_code="A1B2C3",
               terminal_ref="T-881"),
        Tender("cash", total - 10000, tendered_cents=total - 10000 + 1176),
    ], station=STATION, now=FIXED_NOW)
    comp = next(t for t in order.tickets if t.price_type == "COMP")
    for _ in range(2):
        aftersale.reprint(demo_db, cora, comp.id, reason="paper jam", now=FIXED_NOW)
    order = orders.get_order(demo_db, order.id)
    key_dir = tmp_path / "keys"
    keys.ensure_signing_key(demo_db, key_dir)
    signer = keys.load_signer(demo_db, key_dir)
    performance = get_performance(demo_db, show)
    printed = tickets_from_order(order, signer, venue=performance.venue_name,
                                 event=performance.event_name,
                                 when=format_when(performance.starts_at, ZONE),
                                 house_lines=HOUSE)
    return Sale(demo_db, order, signer, printed)


def decode(picture: Image.Image) -> list[str]:
    return [result.text for result in
            zxingcpp.read_barcodes(picture, formats=zxingcpp.BarcodeFormat.QRCode)]  # type: ignore[arg-type]


def test_a_native_ticket_carries_exactly_its_signed_code(sale: Sale) -> None:
    assert supports_native_qr("TM-T88V")
    adult = next(t for t in sale.tickets if t.price_type == "ADULT")
    job = ticket_job(adult)
    assert native_qr_payloads(job) == [adult.code]
    verified = sale.verify(native_qr_payloads(job)[0])
    ticket = next(t for t in sale.order.tickets if t.serial == adult.serial)
    assert verified.ok and verified.ticket_id == ticket.id
    assert verified.performance_id == ticket.performance_id and ticket.label == "ORCH A-101"
    lines = text_lines(job)
    assert "ORCH" in lines and "ROW A  SEAT 101" in lines and "ADULT" in " ".join(lines)
    assert f"Ticket {adult.serial}" in " ".join(lines)
    assert len(job) < 1000        # the code travels as text, not as a picture


def test_the_preview_of_a_native_ticket_scans(sale: Sale) -> None:
    adult = sale.tickets[0]
    picture = render(ticket_job(adult))
    assert decode(picture) == [adult.code]
    assert sale.verify(decode(picture)[0]).ok


@pytest.mark.parametrize(("profile", "paper_mm"), [("TM-T88V", 80), ("TM-T88V", 58)])
def test_a_raster_ticket_scans_from_the_picture(sale: Sale, profile: str, paper_mm: int) -> None:
    ticket = sale.tickets[1]
    job = ticket_job(ticket, profile=profile, paper_mm=paper_mm, native_qr=False)
    assert native_qr_payloads(job) == []
    picture = render(job, paper_mm=paper_mm)
    assert decode(picture) == [ticket.code]
    verified = sale.verify(decode(picture)[0])
    assert verified.ok and verified.generation == 3 and verified.record is not None
    assert verified.record.comp


def test_a_printer_without_native_qr_gets_a_raster_code(sale: Sale) -> None:
    assert not supports_native_qr("POS-5890")
    ticket = sale.tickets[0]
    job = ticket_job(ticket, profile="POS-5890", paper_mm=58)
    assert native_qr_payloads(job) == [] and len(job) > 5000
    assert decode(render(job, paper_mm=58)) == [ticket.code]


def test_a_logo_prints_above_and_the_code_still_scans(sale: Sale, tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGBA", (900, 300), (180, 20, 20, 160)).save(logo)   # too wide, translucent
    ticket = sale.tickets[0]
    plain, with_logo = ticket_job(ticket), ticket_job(ticket, logo=logo)
    assert len(with_logo) > len(plain) + 1000
    picture = render(with_logo)
    assert picture.width == 512 and decode(picture) == [ticket.code]
    with pytest.raises(Exception) as caught:
        ticket_job(ticket, logo=tmp_path / "missing.png")
    assert getattr(caught.value, "code", None) == "bad_logo"


@pytest.mark.parametrize(("profile", "paper_mm"), PAPERS)
def test_every_layout_fits_the_paper(sale: Sale, profile: str, paper_mm: int) -> None:
    paper = paper_geometry(profile, paper_mm)
    assert paper.columns == (32 if paper_mm == 58 else 48 if profile == "TM-T20II" else 42)
    long_names = dataclasses.replace(
        sale.tickets[0], venue="The Municipal Auditorium and Conference Centre",
        event="A Midsummer Night's Dream (relaxed performance, with captions)",
        section="BALCONY-LEFT", row="AA", seat="1234", reprint=12, comp=True, training=True)
    general = dataclasses.replace(sale.tickets[0], section="FIELD", row=None, seat=None)
    receipt = receipt_from_order(sale.order, venue="The Municipal Auditorium",
                                 seller="Cora Coordinator", when="Fri 20 Nov 2026, 12:00 PM",
                                 currency="USD", house_lines=HOUSE, training=True)
    jobs = [ticket_job(t, profile=profile, paper_mm=paper_mm) for t in
            (*sale.tickets, long_names, general)]
    jobs += [receipt_job(receipt, profile=profile, paper_mm=paper_mm),
             report_job("SHIFT Z REPORT - WINDOW 1",
                        [("Cash sales (14 orders)", "USD 1,234.50"), ("-", ""), ("", ""),
                         ("Card sales", "USD 9,876,543.21")], profile=profile,
                        paper_mm=paper_mm)]
    for job in jobs:
        lines = printed_lines(job)
        assert lines and max(line.columns for line in lines) <= paper.columns, [
            (line.text, line.columns) for line in lines if line.columns > paper.columns]
        assert render(job, paper_mm=paper_mm, dots=paper.dots).width == paper.dots
    general_lines = text_lines(jobs[-3])
    assert "FIELD" in general_lines and "GENERAL ADMISSION" in general_lines


def test_comp_reprint_and_training_are_marked(sale: Sale) -> None:
    adult = next(t for t in sale.tickets if t.price_type == "ADULT")
    comp = next(t for t in sale.tickets if t.price_type == "COMP")
    assert (adult.comp, adult.reprint, comp.comp, comp.reprint) == (False, 0, True, 2)
    original = text_lines(ticket_job(adult))
    assert not {"COMP", "REPRINT 2", "TRAINING - NOT VALID"} & set(original)
    marked = text_lines(ticket_job(comp))
    assert "COMP" in marked and "REPRINT 2" in marked
    training = text_lines(ticket_job(dataclasses.replace(adult, training=True)))
    assert training.count("TRAINING - NOT VALID") == 2       # top and bottom
    assert "TRAINING" in text_lines(receipt_job(dataclasses.replace(
        receipt_from_order(sale.order, venue="Hall", seller="cora", when="now",
                           currency="USD"), training=True)))


def test_a_split_receipt_shows_the_card_slip_details_and_never_a_card_number(
        sale: Sale) -> None:
    receipt = receipt_from_order(sale.order, venue="Grand Hall", seller="Cora Coordinator",
                                 when="Fri 20 Nov 2026, 12:00 PM", currency="USD")
    job = receipt_job(receipt)
    text = "\n".join(text_lines(job))
    assert "VISA" in text and "****4242" in text and "A1B2C3" in text
    assert f"Change {format_money(1176, 'USD')}" in " ".join(text.split())
    assert f"Receipt no. {sale.order.number}" in " ".join(text.split())
    assert "ORCH A-101  ADULT" in text and "ORCH A-103  COMP" in text
    assert not contains_card_number(text)
    assert not contains_card_number(job.decode("latin-1"))


def test_refunds_print_negative_and_card_numbers_are_refused(sale: Sale) -> None:
    cora = user(sale.db, "cora")  # type: ignore[arg-type]
    refunded = aftersale.refund(sale.db, cora, sale.order.id, reason="cannot attend",  # type: ignore[arg-type]
                             station=STATION, now=FIXED_NOW)
    text = "\n".join(text_lines(receipt_job(receipt_from_order(
        refunded, venue="Grand Hall", seller="cora", when="now", currency="USD"))))
    assert "REFUND CARD VISA ****4242" in text and "USD -100.00" in text
    assert "ORCH A-101 ADULT refunded" in text and "NET PAID" in text
    with pytest.raises(TenderError) as caught:
        TenderLine("card", 100, card_brand="VISA", card_last4="4242",
                   approval_code="4111111111111111")
    assert caught.value.code == "card_number"
    with pytest.raises(TenderError):
        TenderLine("card", 100, card_brand="VISA", card_last4="4111111111111111")
    sneaky = ReceiptPrint(venue="Hall", order_number="1", seller="4111 1111 1111 1111",
                          when="now", currency="USD", lines=(), fees_cents=0, taxes_cents=0,
                          total_cents=0, tenders=())
    with pytest.raises(TenderError):
        receipt_job(sneaky)


def test_report_and_drawer_jobs() -> None:
    report = report_job("SHIFT X", [("Cash", "USD 10.00"), ("Card", "USD 5.00")],
                        profile="TM-T88V", paper_mm=80)
    assert text_lines(report)[0] == "SHIFT X"
    assert "Cash".ljust(33) + "USD 10.00" in text_lines(report)      # 42 columns
    assert drawer_kick_job("TM-T88V") == b"\x1bp\x00\x32\x32"     # pin 2, 100 ms on/off


def test_money_and_time_formats() -> None:
    assert format_money(123456, "USD") == "USD 1,234.56"
    assert format_money(-5, "EUR") == "EUR -0.05"
    assert format_when(FIXED_NOW, ZONE) == "Fri 20 Nov 2026, 12:00 PM"


def test_control_bytes_in_names_never_reach_the_printer(sale: Sale) -> None:
    evil = dataclasses.replace(sale.tickets[0], venue="Hall\x1bp\x00\x32\x32\x1dV\x00",
                               event="Show \u2014 \u201cLive\u201d")
    job = ticket_job(evil)
    assert b"\x1bp" not in job and job.count(b"\x1dV") == 1
    assert 'Show - "Live"' in text_lines(job)


_COMMANDS = [b"\x1b@", b"\x1ba", b"\x1bE", b"\x1b!", b"\x1d!", b"\x1bt", b"\x1bp", b"\x1dV",
             b"\x1dVA", b"\x1bd", b"\x1bJ", b"\x1b*", b"\x1dv0", b"\x1d(k", b"\x1d(k\x03\x001C",
             b"\x1d(k\x03\x001E", b"\x1d(k\x03\x001Q0", b"\x1d(L", b"\x1dk", b"\x1dB",
             b"\x1bD", b"\x1c", b"\x10\x14", b"\n", b"\t", b"\x1b3", b"\x1b-", b"\x1bM"]


@settings(max_examples=300, deadline=None)
@given(st.one_of(
    st.binary(max_size=600),
    st.lists(st.one_of(st.sampled_from(_COMMANDS), st.binary(max_size=12)),
             max_size=40).map(b"".join)))
def test_the_renderer_never_raises(job: bytes) -> None:
    picture = render(job)
    assert picture.width == 512 and 1 <= picture.height <= 20_000
    assert isinstance(text_lines(job), list) and isinstance(native_qr_payloads(job), list)


def test_building_a_job_leaves_no_temp_dir_and_no_log_handler(tmp_path: Path) -> None:
    probe = ("import logging, hardware.tickets as t\n"
             "t.drawer_kick_job()\n"
             "print(len(logging.getLogger().handlers))\n")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("ESCPOS_CAPABILITIES_PICKLE_DIR", None)
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            cwd=REPO, env=env, check=True)
    assert result.stdout.strip() == "0" and result.stderr == ""
    assert list(scratch.iterdir()) == []
