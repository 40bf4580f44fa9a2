"""Check-in at the gate: judging a scanned code, recording the scan, and the gate counters.

A gate session (`open_gate`) is built once per lane: it holds the public keys and the
revocation list, so a scan verifies its signature without asking the database. `scan`
then follows the order fixed in docs/gate.md — decode, signature, revoked, right
performance, time window, ticket state, scan history — and records the scan with a
nonce in one `BEGIN IMMEDIATE` transaction. A ticket is looked up by the id decoded from
a verified code, never by the scanned text.

Every entry and exit scan is kept, refusals too (the counters show refusals by reason);
status scans are kept for the audit trail but never count. The event's re-entry policy
is `events.reentry` (migration 0003); a code with the REENTRY flag may re-enter anyway.
"""

from __future__ import annotations

import secrets
from collections.abc import Container, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Final, Literal, cast

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from core.errors import BoxOfficeError, NotFound
from core.free_text import clean_text
from core.gate import codes
from core.gate import keys as gate_keys
from core.people.models import User
from core.people.permissions import authorize
from core.store import journal
from core.store.db import Database, insert, write

Mode = Literal["entry", "exit", "status"]
MODES: Final = ("entry", "exit", "status")
# The columns of a recorded scan that travel between databases (gate packs, lanes).
SCAN_COLUMNS: Final = ("nonce", "ticket_id", "generation", "performance_id", "gate", "device",
                       "actor", "direction", "verdict", "reason", "detail", "scanned_at",
                       "conflict")

# Verdict codes. Callers (gate screen, CLI, gate packs) map them to their own words.
ADMIT: Final = "ADMIT"
ALREADY_IN: Final = "ALREADY_IN"
NO_REENTRY: Final = "NO_REENTRY"    # used and left; the event allows no re-entry
WRONG_EVENT: Final = "WRONG_EVENT"
WRONG_DAY: Final = "WRONG_DAY"      # same event, another performance
NOT_YET: Final = "NOT_YET"
TOO_LATE: Final = "TOO_LATE"
VOID: Final = "VOID"                # voided, exchanged or returned
REFUNDED: Final = "REFUNDED"
UNPAID: Final = "UNPAID"            # its payment plan issues the tickets when paid in full
REVOKED: Final = "REVOKED"          # an old copy: reprinted, or revoked by hand
INVALID: Final = "INVALID"          # forged, unreadable, unknown key or ticket
EXITED: Final = "EXITED"            # exit mode: let out
NOT_IN: Final = "NOT_IN"            # exit mode: this ticket is not inside
STATUS: Final = "STATUS"            # status mode: a valid ticket, looked up only

WORDS: Final[Mapping[str, str]] = {
    ADMIT: "ADMIT", ALREADY_IN: "ALREADY IN", NO_REENTRY: "NO RE-ENTRY",
    WRONG_EVENT: "WRONG EVENT", WRONG_DAY: "WRONG DAY", NOT_YET: "NOT YET",
    TOO_LATE: "TOO LATE", VOID: "VOID", REFUNDED: "REFUNDED", UNPAID: "NOT PAID",
    REVOKED: "REVOKED",
    INVALID: "INVALID", EXITED: "EXIT OK", NOT_IN: "NOT INSIDE", STATUS: "VALID",
}
# How the gate colours the block: go (green), stop (red), wait (amber), info (blue).
TONES: Final[Mapping[str, str]] = {
    ADMIT: "go", EXITED: "go", NOT_YET: "wait", STATUS: "info", NOT_IN: "info",
}

DOORS_ALLOWANCE: Final = timedelta(hours=2)   # admit from doors minus this
LATE_ALLOWANCE: Final = timedelta(hours=4)    # ... until the start plus this
_NOT_LIVE: Final[Mapping[str, str]] = {
    "refunded": REFUNDED, "voided": VOID, "exchanged": VOID, "returned": VOID}


class CheckinError(BoxOfficeError):
    """A gate cannot be opened or used as asked (`bad_mode`, `naive_time`, ...)."""

    code = "checkin"


@dataclass(frozen=True)
class Verdict:
    """What the gate shows: `word` big, `detail` under it. Only ADMIT lets someone in."""

    code: str
    detail: str = ""
    ticket_id: int | None = None
    reason: str = ""            # machine detail: token reason or ticket status
    scan_id: int | None = None  # the recorded scan
    replayed: bool = False      # True when the nonce was already recorded

    @property
    def word(self) -> str:
        return WORDS[self.code]

    @property
    def admitted(self) -> bool:
        return self.code == ADMIT

    @property
    def tone(self) -> str:
        return TONES.get(self.code, "stop")


@dataclass
class GateSession:
    """One lane's context: its performance, mode, keys and revocation list."""

    performance_id: int
    event_id: int
    event_name: str
    gate: str
    mode: Mode
    actor: str
    opens_at: datetime          # doors (or start) minus the doors allowance, UTC
    closes_at: datetime         # start plus the late allowance, UTC
    reentry: bool               # the event's policy
    zone: tzinfo
    keys: dict[int, Ed25519PublicKey] = field(repr=False)
    revoked: Container[tuple[int, int]] = field(repr=False)

    def refresh(self, db: Database) -> None:
        """Reload the keys, the revocation list and the event's re-entry policy."""
        self.keys = gate_keys.public_keys(db)
        self.revoked = gate_keys.revoked_set(db)
        row = db.execute("SELECT reentry FROM events WHERE id = ?", [self.event_id]).fetchone()
        self.reentry = bool(row and row[0])


@dataclass(frozen=True)
class GateCounters:
    admitted_here: int                 # entries admitted at this gate
    inside: int                        # entries minus exits, every gate, conflicts not counted
    sold: int                          # live tickets for the performance
    scans_last_minute: int             # entry and exit scans at this gate
    scans_per_minute: float            # ... over the last five minutes, per minute
    refusals: dict[str, int]           # at this gate, by verdict code


def _stamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise CheckinError("a scan time needs a time zone", code="naive_time")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _utc(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def open_gate(db: Database, actor: User, performance_id: int, gate_name: str, *,
              mode: str = "entry", zone: tzinfo = UTC,
              doors_allowance: timedelta = DOORS_ALLOWANCE,
              late_allowance: timedelta = LATE_ALLOWANCE) -> GateSession:
    """Open a gate lane for one performance. Needs `gate_scan`; journaled (`gate.open`).

    Codes are admitted from the doors time (the start if none) minus `doors_allowance`
    until the start plus `late_allowance`. Raises PermissionDenied, NotFound (no such
    performance), CheckinError `bad_mode`, `bad_gate`, `cancelled`.
    """
    _check_lane(mode, gate_name)
    authorize(db, actor, "gate_scan")
    session = session_for(db, performance_id, gate_name, mode=mode, actor=actor.username,
                          zone=zone, doors_allowance=doors_allowance,
                          late_allowance=late_allowance)
    journal.append(db, actor=actor.username, action="gate.open",
                   subject=f"performance:{performance_id}",
                   data={"gate": session.gate, "mode": mode})
    return session


def _check_lane(mode: str, gate_name: str) -> str:
    if mode not in MODES:
        raise CheckinError(f"a gate's mode is entry, exit or status, not {mode!r}",
                           code="bad_mode")
    gate = gate_name.strip()
    if not gate or len(gate) > 40:
        raise CheckinError("a gate needs a name of 1 to 40 characters", code="bad_gate")
    gate = clean_text(gate, "gate name")
    return gate


def session_for(db: Database, performance_id: int, gate_name: str, *, mode: str, actor: str,
                zone: tzinfo = UTC, revoked: Container[tuple[int, int]] | None = None,
                doors_allowance: timedelta = DOORS_ALLOWANCE,
                late_allowance: timedelta = LATE_ALLOWANCE) -> GateSession:
    """A gate session with no permission check and no journal entry: for callers that
    authorized the lane another way (`open_gate` checks a user; the check-in server a
    lane's device token, `core.gate.lanes`). `revoked`: the revocation list to check codes
    against (default: the list as it is now; the server passes a live lookup). Raises
    NotFound, CheckinError `bad_mode`, `bad_gate`, `cancelled`, TextError or TenderError
    `card_number` for a gate name that is not fit to store.
    """
    gate = _check_lane(mode, gate_name)
    row = db.execute("SELECT p.event_id, e.name, p.starts_at, p.doors_at, p.status, e.reentry "
                     "FROM performances p JOIN events e ON e.id = p.event_id WHERE p.id = ?",
                     [performance_id]).fetchone()
    if row is None:
        raise NotFound(f"there is no performance {performance_id}")
    event_id, event_name, starts_at, doors_at, status, reentry = row
    if status == "cancelled":
        raise CheckinError("this performance is cancelled", code="cancelled")
    starts = _utc(starts_at)
    doors = _utc(doors_at) if doors_at else starts
    return GateSession(performance_id, event_id, event_name, gate, cast(Mode, mode),
                       actor, doors - doors_allowance, starts + late_allowance,
                       bool(reentry), zone, gate_keys.public_keys(db),
                       gate_keys.revoked_set(db) if revoked is None else revoked)


def set_reentry(db: Database, actor: User, event_id: int, allowed: bool) -> None:
    """Set an event's re-entry policy. Needs `event_setup`; journaled. Raises NotFound."""
    authorize(db, actor, "event_setup")
    with write(db):
        if db.execute("UPDATE events SET reentry = ? WHERE id = ?",
                      [int(allowed), event_id]).rowcount == 0:
            raise NotFound(f"there is no event {event_id}")
        journal.append(db, actor=actor.username, action="event.reentry",
                       subject=f"event:{event_id}", data={"allowed": allowed})


def _device(device: str) -> str:
    """A device name fit to store: a typed card number or control codes are not kept."""
    try:
        return clean_text(device[:80], "device")
    except BoxOfficeError:
        return "(unreadable device name)"


def scan(db: Database, session: GateSession, text: str | bytes | bytearray, *,
         now: datetime, nonce: str | None = None, device: str = "") -> Verdict:
    """Judge one scanned code and record the scan; never raises on what was scanned.

    `nonce` names this scan on its device (a fresh one is made if None): a nonce already
    recorded returns the verdict recorded then and records nothing. Entry mode admits a
    code once (again after an exit only if the event or the code allows re-entry); exit
    mode lets out a ticket that is inside; status mode consumes nothing. Raises
    CheckinError `naive_time` for a `now` without a time zone (a caller's bug).
    """
    stamp = _stamp(now)
    nonce = nonce if nonce is not None else secrets.token_hex(16)
    verified = codes.verify_token(text, session.keys, session.revoked)
    with write(db):
        row = db.execute("SELECT id, verdict, reason, detail, ticket_id, generation FROM scans "
                         "WHERE nonce = ?", [nonce]).fetchone()
        if row is not None:
            record = verified.record
            if record is None or (record.ticket_id, record.generation) != (row[4], row[5]):
                # a nonce reused for another code is not a retry: never replay an ADMIT
                return Verdict(INVALID, "this scan's number was already used for another "
                               "ticket: scan again", None, "nonce_reused")
            return Verdict(row[1], row[3], row[4], row[2], row[0], replayed=True)
        verdict = _judge(db, session, verified, now)
        record = verified.record
        scan_id = insert(db,
            "INSERT INTO scans (nonce, ticket_id, generation, performance_id, gate, device, "
            "actor, direction, verdict, reason, detail, scanned_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [nonce, record.ticket_id if record else None,
             record.generation if record else None, session.performance_id, session.gate,
             _device(device), session.actor, session.mode, verdict.code, verdict.reason,
             verdict.detail, stamp])
    return Verdict(verdict.code, verdict.detail, verdict.ticket_id, verdict.reason, scan_id)


def _judge(db: Database, session: GateSession, verified: codes.VerifiedToken,
           now: datetime) -> Verdict:
    record = verified.record
    if record is None:                      # decode, key and signature
        return Verdict(INVALID, _INVALID_DETAIL.get(verified.reason or "", ""),
                       reason=verified.reason or codes.MALFORMED)
    ticket_id = record.ticket_id
    ticket = db.execute(
        "SELECT t.status, t.generation, t.performance_id, c.code, s.row_label, s.number, "
        "pt.name FROM tickets t JOIN sections c ON c.id = t.section_id "
        "JOIN price_types pt ON pt.id = t.price_type_id "
        "LEFT JOIN seats s ON s.id = t.seat_id WHERE t.id = ?", [ticket_id]).fetchone()
    if verified.reason == codes.REVOKED:
        # Refused either way; a retired ticket's own status is the more useful word.
        if ticket is not None and ticket[0] in _NOT_LIVE and ticket[1] == record.generation:
            return Verdict(_NOT_LIVE[ticket[0]], f"this ticket was {ticket[0]}", ticket_id,
                           ticket[0])
        return Verdict(REVOKED, "an old copy: this ticket was reprinted or cancelled",
                       ticket_id, codes.REVOKED)
    if record.performance_id != session.performance_id:
        return _elsewhere(db, session, record.performance_id, ticket_id)
    if session.mode == "entry" and now < session.opens_at:
        opens = session.opens_at.astimezone(session.zone)
        return Verdict(NOT_YET, f"gate opens {opens:%a} {_clock(opens, session.zone)}",
                       ticket_id, "early")
    if session.mode == "entry" and now > session.closes_at:
        return Verdict(TOO_LATE, "admission for this performance has closed", ticket_id, "late")
    if ticket is None or ticket[2] != record.performance_id or record.generation > ticket[1]:
        return Verdict(INVALID, "no such ticket in this box office", ticket_id, "unknown_ticket")
    status, generation, _, section, row_label, number, price_type = ticket
    if status in _NOT_LIVE:
        return Verdict(_NOT_LIVE[status], f"this ticket was {status}", ticket_id, status)
    if _not_issued(db, ticket_id):
        return Verdict(UNPAID, "not issued: its payment plan is not paid in full",
                       ticket_id, "not_issued")
    if record.generation < generation:
        return Verdict(REVOKED, "an old copy: the ticket was reprinted", ticket_id, "reprinted")
    seat = f"{section} {row_label}-{number}" if row_label is not None else f"{section} GA"
    marks = [seat, price_type]
    if record.wheelchair:
        marks.append("WHEELCHAIR")
    if record.comp:
        marks.append("COMP")
    return _by_history(db, session, ticket_id, record.reentry, " · ".join(marks))


def _not_issued(db: Database, ticket_id: int) -> bool:
    """The ticket's order is on a payment plan that issues its tickets when paid in full,
    and is not paid yet (the rule core.sales.orders.withheld holds for every code handed
    out; no code should exist, so this only stops one made before the plan was agreed).
    A gate pack carries no plans: offline, only the missing code keeps it out."""
    return db.execute(
        "SELECT 1 FROM tickets t JOIN payment_plans p ON p.order_id = t.order_id JOIN "
        "orders o ON o.id = t.order_id WHERE t.id = ? AND p.tickets = 'paid_in_full' AND "
        "p.status = 'active' AND o.status = 'deposit'", [ticket_id]).fetchone() is not None


def _by_history(db: Database, session: GateSession, ticket_id: int,
                reentry_flag: bool, about: str) -> Verdict:
    last = db.execute("SELECT verdict, scanned_at, gate FROM scans WHERE performance_id = ? "
                      "AND ticket_id = ? AND verdict IN (?, ?) ORDER BY id DESC LIMIT 1",
                      [session.performance_id, ticket_id, ADMIT, EXITED]).fetchone()
    inside = last is not None and last[0] == ADMIT
    where = "" if last is None else f"{_clock(_utc(last[1]), session.zone)} at {last[2]}"
    if session.mode == "status":
        state = ("not scanned in" if last is None else
                 f"inside since {where}" if inside else f"left {where}")
        return Verdict(STATUS, f"{about} · {state}", ticket_id, "live")
    if session.mode == "exit":
        if not inside:
            return Verdict(NOT_IN, f"{about} · not scanned in", ticket_id, "not_inside")
        return Verdict(EXITED, about, ticket_id, "exit")
    if inside:
        return Verdict(ALREADY_IN, f"admitted {where}", ticket_id, "duplicate")
    if last is not None and not (session.reentry or reentry_flag):
        return Verdict(NO_REENTRY, f"left {where}; no re-entry to this event", ticket_id,
                       "no_reentry")
    return Verdict(ADMIT, about if last is None else f"{about} · re-entry", ticket_id,
                   "entry" if last is None else "reentry")


def _elsewhere(db: Database, session: GateSession, performance_id: int,
               ticket_id: int) -> Verdict:
    row = db.execute("SELECT p.event_id, e.name, p.starts_at FROM performances p "
                     "JOIN events e ON e.id = p.event_id WHERE p.id = ?",
                     [performance_id]).fetchone()
    if row is None:
        return Verdict(INVALID, "no such performance in this box office", ticket_id,
                       "unknown_performance")
    when = _utc(row[2]).astimezone(session.zone).strftime("%a %d %b %H:%M")
    if row[0] == session.event_id:
        return Verdict(WRONG_DAY, f"this ticket is for {when}", ticket_id,
                       f"performance:{performance_id}")
    return Verdict(WRONG_EVENT, f"this ticket is for {row[1]}, {when}", ticket_id,
                   f"performance:{performance_id}")


def _clock(moment: datetime, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%H:%M")


_INVALID_DETAIL: Final[Mapping[str, str]] = {
    codes.MALFORMED: "not one of our codes, or misread: scan again",
    codes.BAD_SIGNATURE: "forged or damaged code",
    codes.UNKNOWN_KEY: "code signed with a key this gate does not know",
}


def counters(db: Database, performance_id: int, gate: str,
             now: datetime) -> GateCounters:
    """The gate's figures at `now`; status scans never count."""
    stamp = _stamp(now)
    one = _stamp(now - timedelta(minutes=1))
    five = _stamp(now - timedelta(minutes=5))
    last_minute, last_five = db.execute(
        "SELECT count(*) FILTER (WHERE scanned_at > ?), count(*) FROM scans "
        "WHERE performance_id = ? AND gate = ? AND scanned_at > ? AND scanned_at <= ? "
        "AND direction != 'status'", [one, performance_id, gate, five, stamp]).fetchone()
    by_verdict: dict[str, int] = {}
    here: dict[str, int] = {}
    for verdict, at_gate, direction, conflict, count in db.execute(
            "SELECT verdict, gate, direction, conflict, count(*) FROM scans "
            "WHERE performance_id = ? GROUP BY verdict, gate, direction, conflict",
            [performance_id]):
        if direction == "status":
            continue
        if not (verdict == ADMIT and conflict):       # an offline duplicate is not a person
            by_verdict[verdict] = by_verdict.get(verdict, 0) + count
        if at_gate == gate:
            here[verdict] = here.get(verdict, 0) + count
    sold = db.execute("SELECT count(*) FROM tickets WHERE performance_id = ? AND "
                      "status = 'live'", [performance_id]).fetchone()[0]
    refusals = {code: count for code, count in sorted(here.items())
                if code not in (ADMIT, EXITED)}
    return GateCounters(here.get(ADMIT, 0), by_verdict.get(ADMIT, 0) - by_verdict.get(EXITED, 0),
                        sold, last_minute, last_five / 5, refusals)
