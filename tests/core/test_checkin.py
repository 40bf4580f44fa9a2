"""Check-in at the gate: verdicts in DESIGN's order, scan history, re-entry, nonces,
status mode, counters, and a fuzz of what a gate may be shown that must never admit."""

from __future__ import annotations

import random
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from core.config import Config, ticket_key_dir
from core.errors import NotFound
from core.gate import checkin, keys
from core.gate import codes as gate_codes
from core.gate.checkin import GateSession, Verdict, counters, open_gate, scan, set_reentry
from core.people.permissions import PermissionDenied
from core.sales import aftersale, carts, checkout, models, orders
from core.sales.tenders import Tender
from core.store import journal
from core.store.db import Database, home_path
from core.store.schema import database_id
from core.venue import performances
from tests.core.test_tokens import make_mutators
from tests.support.constants import FIXED_NOW, ZONE
from tests.support.dates import day_at
from tests.support.selling_helpers import (
    HOLD,
    STATION,
    cart_with,
    hall_performance,
    stadium_performance,
    user,
)

# The demo dates its performances from the pinned instant: the stadium match kicks off five
# days later at 15:00 in New York (doors 13:00), the hall's first opera the next day at 19:30.
KICK_OFF = day_at(5, "15:00", ZONE)
AT_GATE = KICK_OFF - timedelta(hours=1)
CURTAIN = day_at(1, "19:30", ZONE)
OPERA_NIGHT = f"{CURTAIN:%a %d %b %H:%M}"   # as the gate says it: Sat 21 Nov 19:30


class Box:
    """The demo database with a signing key, and a quick way to sell and sign tickets."""

    def __init__(self, db: Database, key_dir: Path) -> None:
        self.db = db
        keys.ensure_signing_key(db, key_dir)
        self.signer = keys.load_signer(db, key_dir)
        self.cora = user(db, "cora")
        self.gia = user(db, "gia")

    def sell(self, performance_id: int, labels: list[str],
             price_type: str = "ADULT") -> models.Order:
        cart_id = cart_with(self.db, self.cora, performance_id, labels, FIXED_NOW, price_type)
        total = carts.view_cart(self.db, cart_id).total_cents
        tenders = [Tender("cash", total)] if total else []
        return checkout.checkout(self.db, self.cora, cart_id, tenders, station=STATION,
                               now=FIXED_NOW)

    def code(self, ticket: models.Ticket) -> str:
        return orders.ticket_code(self.signer, ticket)

    def gate(self, performance_id: int, name: str = "North", mode: str = "entry") -> GateSession:
        return open_gate(self.db, self.gia, performance_id, name, mode=mode, zone=ZONE)

    def scans(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM scans").fetchone()[0])


@pytest.fixture
def box(demo_db: Database, tmp_path: Path) -> Box:
    return Box(demo_db, tmp_path / "keys")


def test_admit_then_already_in_naming_the_gate_and_the_time(box: Box) -> None:
    match = stadium_performance(box.db)
    ticket = box.sell(match, ["101-1-1"]).tickets[0]
    first = scan(box.db, box.gate(match, "North"), box.code(ticket), now=AT_GATE)
    assert (first.code, first.word, first.admitted, first.tone) == ("ADMIT", "ADMIT", True, "go")
    assert first.ticket_id == ticket.id and first.detail == "101 1-1 · Adult"
    again = scan(box.db, box.gate(match, "South"), box.code(ticket) + "\r\n",
                 now=AT_GATE + timedelta(minutes=3))
    assert (again.code, again.word, again.admitted) == ("ALREADY_IN", "ALREADY IN", False)
    assert again.detail == "admitted 14:00 at North"          # New York time, first gate
    assert box.scans() == 2


def test_comp_flags_show_on_admit(box: Box) -> None:
    match = stadium_performance(box.db)
    ticket = box.sell(match, ["101-1-2"], price_type="COMP").tickets[0]
    verdict = scan(box.db, box.gate(match), box.code(ticket), now=AT_GATE)
    assert verdict.admitted and verdict.detail == "101 1-2 · Complimentary · COMP"


def test_exit_then_re_entry_only_with_the_event_policy(box: Box) -> None:
    match = stadium_performance(box.db)
    ticket, other = box.sell(match, ["101-2-1", "101-2-2"]).tickets
    entry, exit_ = box.gate(match, "North"), box.gate(match, "North exit", mode="exit")
    code = box.code(ticket)
    assert scan(box.db, exit_, box.code(other), now=AT_GATE).code == "NOT_IN"
    assert scan(box.db, entry, code, now=AT_GATE).admitted
    left = scan(box.db, exit_, code, now=AT_GATE + timedelta(minutes=10))
    assert (left.code, left.word, left.admitted) == ("EXITED", "EXIT OK", False)
    back = scan(box.db, entry, code, now=AT_GATE + timedelta(minutes=20))
    assert (back.code, back.word) == ("NO_REENTRY", "NO RE-ENTRY")
    assert "left 14:10 at North exit" in back.detail
    event_id = box.db.execute("SELECT event_id FROM performances WHERE id = ?",
                              [match]).fetchone()[0]
    set_reentry(box.db, box.cora, event_id, True)
    entry.refresh(box.db)
    again = scan(box.db, entry, code, now=AT_GATE + timedelta(minutes=21))
    assert again.admitted and again.detail.endswith("re-entry")
    assert scan(box.db, entry, code, now=AT_GATE + timedelta(minutes=22)).code == "ALREADY_IN"
    with pytest.raises(PermissionDenied):
        set_reentry(box.db, box.gia, event_id, False)


def test_a_reentry_flag_on_the_code_allows_re_entry_without_the_policy(box: Box) -> None:
    match = stadium_performance(box.db)
    ticket = box.sell(match, ["101-3-1"]).tickets[0]
    code = box.signer.sign(ticket.id, match, ticket.generation, gate_codes.REENTRY)
    entry, exit_ = box.gate(match), box.gate(match, "Out", mode="exit")
    assert scan(box.db, entry, code, now=AT_GATE).admitted
    assert scan(box.db, exit_, code, now=AT_GATE).code == "EXITED"
    assert scan(box.db, entry, code, now=AT_GATE).admitted


def test_wrong_event_and_wrong_day_name_the_right_one(box: Box) -> None:
    opera = hall_performance(box.db)
    ticket = box.sell(opera, ["ORCH-A-101"]).tickets[0]
    code = box.code(ticket)
    at_match = scan(box.db, box.gate(stadium_performance(box.db)), code, now=AT_GATE)
    assert (at_match.code, at_match.word) == ("WRONG_EVENT", "WRONG EVENT")
    assert at_match.detail == f"this ticket is for The Marriage of Figaro, {OPERA_NIGHT}"
    matinee = box.db.execute("SELECT id FROM performances WHERE event_id = (SELECT event_id "
                             "FROM performances WHERE id = ?) AND id != ?",
                             [opera, opera]).fetchone()[0]
    other_day = scan(box.db, box.gate(matinee), code, now=CURTAIN + timedelta(days=2))
    assert (other_day.code, other_day.word) == ("WRONG_DAY", "WRONG DAY")
    assert other_day.detail == f"this ticket is for {OPERA_NIGHT}"
    assert scan(box.db, box.gate(opera), code, now=CURTAIN).admitted


def test_not_yet_and_too_late_consume_nothing(box: Box) -> None:
    match = stadium_performance(box.db)
    ticket = box.sell(match, ["101-4-1"]).tickets[0]
    gate, code = box.gate(match), box.code(ticket)
    early = scan(box.db, gate, code, now=KICK_OFF - timedelta(hours=4, minutes=1))
    assert (early.code, early.word, early.tone) == ("NOT_YET", "NOT YET", "wait")
    opens = (KICK_OFF - timedelta(hours=4)).astimezone(ZONE)   # doors 13:00 minus 2 h
    assert early.detail == f"gate opens {opens:%a} 11:00"
    late = scan(box.db, gate, code, now=KICK_OFF + timedelta(hours=4, minutes=1))
    assert (late.code, late.word) == ("TOO_LATE", "TOO LATE")
    assert scan(box.db, gate, code, now=KICK_OFF - timedelta(hours=4)).admitted
    narrow = open_gate(box.db, box.gia, match, "VIP", doors_allowance=timedelta(0),
                       late_allowance=timedelta(minutes=30))
    other = box.sell(match, ["101-4-2"]).tickets[0]
    assert scan(box.db, narrow, box.code(other), now=KICK_OFF - timedelta(hours=2, seconds=1)
                ).code == "NOT_YET"
    assert scan(box.db, narrow, box.code(other), now=KICK_OFF + timedelta(minutes=31)
                ).code == "TOO_LATE"


def test_refunded_and_voided_tickets_are_refused(box: Box) -> None:
    match = stadium_performance(box.db)
    refunded = box.sell(match, ["101-5-1"])
    voided = box.sell(match, ["101-5-2"])
    stale = box.gate(match)                     # opened before: its revocation list is old
    aftersale.refund(box.db, box.cora, refunded.id, reason="cannot come", station=STATION,
                  now=FIXED_NOW)
    aftersale.void(box.db, box.cora, voided.id, reason="wrong seats", station=STATION,
                now=FIXED_NOW, zone=ZONE)
    fresh = box.gate(match, "South")
    for gate in (stale, fresh):
        verdict = scan(box.db, gate, box.code(refunded.tickets[0]), now=AT_GATE)
        assert (verdict.code, verdict.word, verdict.admitted) == ("REFUNDED", "REFUNDED", False)
        verdict = scan(box.db, gate, box.code(voided.tickets[0]), now=AT_GATE)
        assert (verdict.code, verdict.word, verdict.admitted) == ("VOID", "VOID", False)


def test_a_reprinted_tickets_old_code_is_revoked_and_the_new_one_admitted(box: Box) -> None:
    match = stadium_performance(box.db)
    old = box.sell(match, ["101-6-1"]).tickets[0]
    stale = box.gate(match)
    new = aftersale.reprint(box.db, box.cora, old.id, reason="paper jam", now=FIXED_NOW)
    fresh = box.gate(match, "South")
    for gate in (stale, fresh):
        verdict = scan(box.db, gate, box.code(old), now=AT_GATE)
        assert (verdict.code, verdict.word, verdict.admitted) == ("REVOKED", "REVOKED", False)
        junk = scan(box.db, gate, box.code(old) + "AAAA", now=AT_GATE)
        assert junk.code == "INVALID" and junk.ticket_id is None
    assert scan(box.db, fresh, box.code(new), now=AT_GATE).admitted


def test_the_same_nonce_twice_records_one_scan_and_repeats_its_verdict(box: Box) -> None:
    match = stadium_performance(box.db)
    ticket = box.sell(match, ["101-7-1"]).tickets[0]
    gate = box.gate(match)
    first = scan(box.db, gate, box.code(ticket), now=AT_GATE, nonce="lane3-000001",
                 device="lane3")
    retried = scan(box.db, gate, box.code(ticket), now=AT_GATE + timedelta(seconds=5),
                   nonce="lane3-000001", device="lane3")
    assert first.admitted and retried.admitted and retried.replayed
    assert (retried.scan_id, retried.detail, retried.ticket_id) == (
        first.scan_id, first.detail, first.ticket_id)
    assert box.scans() == 1
    assert scan(box.db, gate, box.code(ticket), now=AT_GATE).code == "ALREADY_IN"


def test_status_mode_looks_up_without_consuming(box: Box) -> None:
    match = stadium_performance(box.db)
    ticket = box.sell(match, ["101-8-1"]).tickets[0]
    status, entry = box.gate(match, "Desk", mode="status"), box.gate(match)
    before = scan(box.db, status, box.code(ticket), now=AT_GATE)
    assert (before.code, before.word, before.admitted) == ("STATUS", "VALID", False)
    assert before.detail.endswith("not scanned in")
    assert scan(box.db, status, box.code(ticket), now=AT_GATE).code == "STATUS"
    assert scan(box.db, entry, box.code(ticket), now=AT_GATE).admitted
    after = scan(box.db, status, box.code(ticket), now=AT_GATE)
    assert after.detail.endswith("inside since 14:00 at North")
    figures = counters(box.db, match, "Desk", AT_GATE)
    assert figures.admitted_here == 0 and figures.scans_last_minute == 0
    assert figures.refusals == {} and figures.inside == 1


def test_counters(box: Box) -> None:
    match = stadium_performance(box.db)
    sold = box.sell(match, ["102-1-1", "102-1-2", "102-1-3", "102-1-4"]).tickets
    north, south = box.gate(match, "North"), box.gate(match, "South")
    out = box.gate(match, "Out", mode="exit")
    t = AT_GATE
    scan(box.db, north, box.code(sold[0]), now=t - timedelta(minutes=10))
    scan(box.db, north, box.code(sold[1]), now=t - timedelta(minutes=4))
    scan(box.db, north, box.code(sold[1]), now=t - timedelta(seconds=30))     # ALREADY_IN
    scan(box.db, north, "not a code", now=t - timedelta(seconds=20))          # INVALID
    scan(box.db, north, box.code(sold[2]), now=t - timedelta(seconds=10))
    scan(box.db, south, box.code(sold[3]), now=t)
    scan(box.db, out, box.code(sold[0]), now=t)
    figures = counters(box.db, match, "North", t)
    assert figures.admitted_here == 3
    assert figures.inside == 3                # four in, one out
    assert figures.sold == 4
    assert figures.scans_last_minute == 3
    assert figures.scans_per_minute == 4 / 5
    assert figures.refusals == {"ALREADY_IN": 1, "INVALID": 1}
    assert counters(box.db, match, "South", t).admitted_here == 1


def test_opening_a_gate_needs_gate_scan_and_is_journaled(box: Box) -> None:
    match = stadium_performance(box.db)
    with pytest.raises(PermissionDenied):
        open_gate(box.db, user(box.db, "sam"), match, "North")
    session = box.gate(match, "  North  ")
    assert session.gate == "North" and session.keys and session.mode == "entry"
    row = box.db.execute("SELECT actor, subject, data FROM journal WHERE action = 'gate.open'"
                         ).fetchone()
    assert row == ("gia", f"performance:{match}", '{"gate":"North","mode":"entry"}')
    assert journal.verify(box.db).ok
    with pytest.raises(checkin.CheckinError) as bad_mode:
        open_gate(box.db, box.gia, match, "North", mode="sideways")
    assert bad_mode.value.code == "bad_mode"
    with pytest.raises(NotFound):
        open_gate(box.db, box.gia, 999, "North")
    with pytest.raises(checkin.CheckinError) as naive:
        scan(box.db, session, "x", now=AT_GATE.replace(tzinfo=None))
    assert naive.value.code == "naive_time"


def test_verdict_words_cover_every_code() -> None:
    for code, word in checkin.WORDS.items():
        verdict = Verdict(code)
        assert verdict.word == word and verdict.admitted == (code == "ADMIT")
        assert len(word) <= 11 and word == word.upper()


# --- fuzz ---------------------------------------------------------------------------------

def test_fuzz_fifty_thousand_bad_payloads_admit_no_one(box: Box) -> None:
    """Garbled, forged, truncated and oversized payloads of genuine codes (live, reprinted,
    refunded, for other performances) through the whole gate path: none admitted, none
    raising. Each is a recorded scan, as at a real gate."""
    match = stadium_performance(box.db)
    order = box.sell(match, [f"103-1-{n}" for n in range(1, 9)])
    live = [box.code(t) for t in order.tickets[:6]]
    refunded = order.tickets[6]
    aftersale.refund(box.db, box.cora, order.id, reason="fuzz", station=STATION, now=FIXED_NOW,
                  ticket_ids=[refunded.id])
    reprinted = aftersale.reprint(box.db, box.cora, order.tickets[7].id, reason="fuzz",
                               now=FIXED_NOW)
    opera = box.sell(hall_performance(box.db), ["ORCH-C-101"]).tickets[0]
    dead = [box.code(refunded), box.code(order.tickets[7])]
    genuine = set(live) | {box.code(reprinted)}
    gate = box.gate(match)
    # Every genuine code goes in first, so a garbled copy that still reads as its code
    # (case, scanner whitespace) is at most ALREADY IN, never a second admission.
    for code in genuine:
        assert scan(box.db, gate, code, now=AT_GATE).admitted
    mutators = make_mutators([*live, box.code(opera), box.code(reprinted)], dead)
    names = list(mutators)
    rng = random.Random(20261125)
    total = 50_400
    outcomes: Counter[tuple[str, str]] = Counter()
    started = time.perf_counter()
    if box.db.engine == "sqlite":                  # the fuzz tests verdicts, not the disk
        box.db.execute("PRAGMA synchronous = OFF")
    for n in range(total):
        name = names[n % len(names)]
        verdict = scan(box.db, gate, mutators[name](rng), now=AT_GATE)  # type: ignore[arg-type]
        outcomes[name, verdict.code] += 1
        assert not verdict.admitted, (name, verdict)
    elapsed = time.perf_counter() - started
    assert box.scans() == total + len(genuine)
    codes = Counter(code for (_, code) in outcomes.elements())
    assert codes["INVALID"] > 40_000
    assert set(codes) <= {"INVALID", "ALREADY_IN", "REVOKED", "REFUNDED", "WRONG_EVENT"}
    print(f"\n{total} payloads through the gate in {elapsed:.1f} s; verdicts: {dict(codes)}")


def test_junk_of_any_type_is_invalid_and_the_genuine_code_still_admits(box: Box) -> None:
    match = stadium_performance(box.db)
    ticket = box.sell(match, ["104-1-1"]).tickets[0]
    gate = box.gate(match)
    for junk in ("", "\x00" * 200, b"\xff" * 10_000, box.code(ticket)[:-1],
                 box.code(ticket).lower() + "=", None, 12345):
        assert scan(box.db, gate, junk, now=AT_GATE).code == "INVALID"  # type: ignore[arg-type]
    assert scan(box.db, gate, box.code(ticket).lower() + "\n", now=AT_GATE).admitted


def test_a_reused_nonce_never_replays_an_admit_for_another_ticket(demo_db: Database,
                                                                 tmp_path: Path) -> None:
    sam, gia = user(demo_db, "sam"), user(demo_db, "gia")
    match = 3
    cart_id = carts.open_cart(demo_db, sam, STATION, FIXED_NOW, HOLD)
    cart = carts.add_area_places(demo_db, sam, cart_id, match, "FIELD", 2, "ADULT", FIXED_NOW, HOLD)
    order = checkout.checkout(demo_db, sam, cart_id, [Tender("cash", cart.total_cents)],
                            station=STATION, now=FIXED_NOW)
    key_dir = ticket_key_dir(Config(), home_path(demo_db.location, tmp_path),
                             database_id(demo_db))
    keys.ensure_signing_key(demo_db, key_dir)
    signer = keys.load_signer(demo_db, key_dir)
    first, second = (orders.ticket_code(signer, t) for t in order.tickets)
    at = performances.get_performance(demo_db, match).starts_at - timedelta(minutes=30)
    gate = checkin.open_gate(demo_db, gia, match, "North")
    assert checkin.scan(demo_db, gate, first, now=at, nonce="dev-1").word == "ADMIT"
    reused = checkin.scan(demo_db, gate, second, now=at, nonce="dev-1")
    assert not reused.admitted and reused.reason == "nonce_reused"
    assert checkin.scan(demo_db, gate, first, now=at, nonce="dev-1").replayed
