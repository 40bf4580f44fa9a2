"""Online gate lanes: the device tokens a coordinator issues, and what the check-in server
does for a lane holding one — judge a scan, take a batch judged offline, hand out a pack.

A token belongs to one lane (a name such as "North 3") at one performance. Only its
SHA-256 is stored (`lane_tokens`, migration 0008): the token is shown once, when issued.
An unknown or revoked token is `LaneAuthError` (the server's 401) and changes nothing.

Nothing here judges a ticket: `judge` is `core.gate.checkin.scan` with a live revocation
lookup (a copy revoked a moment ago is refused at once), and `upload` is
`core.gate.gatepack.fold_scans`, exactly a gate-pack merge (skipped by nonce, a second
admission kept and flagged as a conflict, never re-judged).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any, Final

from core.errors import BoxOfficeError, NotFound
from core.free_text import clean_text
from core.gate import checkin, gatepack
from core.gate.checkin import SCAN_COLUMNS, Verdict
from core.gate.codes import MAX_GENERATION, MAX_TICKET_ID
from core.gate.keys import RevocationLookup
from core.people.models import User
from core.people.permissions import authorize
from core.store import journal
from core.store.db import Database, insert, write

SEEN_EVERY: Final = timedelta(seconds=5)     # last_seen_at is written at most this often
MAX_UPLOAD: Final = 1000                     # scans in one upload
_NONCE = re.compile(r"[A-Za-z0-9_.:-]{8,64}")


class LaneError(BoxOfficeError):
    """A lane request cannot be done as asked (`bad_lane_name`, `bad_nonce`, `bad_scan`,
    `too_many_scans`, ...): the server's 422."""

    code = "lane"


class LaneAuthError(BoxOfficeError):
    """No lane holds this token (`unknown_token`) or it was revoked (`revoked_token`)."""

    code = "lane_auth"


@dataclass(frozen=True)
class Lane:
    id: int
    name: str
    performance_id: int
    issued_at: datetime
    issued_by: str
    revoked_at: datetime | None
    last_seen_at: datetime | None
    queue_length: int

    @property
    def device(self) -> str:
        """What the lane's scans are recorded as, on the host and on its pack."""
        return f"lane:{self.name}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class IssuedToken:
    lane: Lane
    token: str                  # shown once: only its hash is kept


@dataclass(frozen=True)
class Uploaded:
    received: int
    added: int
    already_recorded: int
    conflicts: int
    nonces: tuple[str, ...]     # every nonce received: the lane may drop them from its queue


def _stamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise LaneError("a time needs a time zone", code="naive_time")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


_LANE_COLUMNS = ("id, name, performance_id, issued_at, issued_by, revoked_at, last_seen_at, "
                 "queue_length")


def _lane(row: Sequence[Any]) -> Lane:
    def when(text: str | None) -> datetime | None:
        return datetime.fromisoformat(text) if text else None

    return Lane(int(row[0]), str(row[1]), int(row[2]), datetime.fromisoformat(row[3]),
                str(row[4]), when(row[5]), when(row[6]), int(row[7]))


def issue_lane_token(db: Database, actor: User, performance_id: int, name: str, *,
                     now: datetime) -> IssuedToken:
    """Make a device token for the lane `name` at `performance_id`; returns it once.

    Needs `event_setup` (a coordinator's); journaled (`lane.issue`, without the token).
    Raises PermissionDenied, NotFound (no such performance), LaneError `bad_lane_name`
    (1 to 40 characters) or `lane_exists` (a live token has that name: revoke it first).
    """
    stamp = _stamp(now)
    authorize(db, actor, "event_setup")
    # stored, shown and journaled: core.free_text's check first
    lane_name = clean_text(" ".join(name.split()), "lane name")
    if not 1 <= len(lane_name) <= 40:
        raise LaneError("a lane needs a name of 1 to 40 characters, like North 3",
                        code="bad_lane_name")
    token = secrets.token_urlsafe(24)
    with write(db):
        if db.execute("SELECT 1 FROM performances WHERE id = ?",
                      [performance_id]).fetchone() is None:
            raise NotFound(f"there is no performance {performance_id}")
        if db.execute("SELECT 1 FROM lane_tokens WHERE performance_id = ? AND name = ? AND "
                      "revoked_at IS NULL", [performance_id, lane_name]).fetchone():
            raise LaneError(f"lane {lane_name} already has a live token for this "
                            "performance: revoke it first, or choose another name",
                            code="lane_exists")
        lane_id = insert(db, "INSERT INTO lane_tokens (name, performance_id, token_hash, "
                         "issued_at, issued_by) VALUES (?, ?, ?, ?, ?)",
                         [lane_name, performance_id, _hash(token), stamp, actor.username])
        journal.append(db, actor=actor.username, action="lane.issue",
                       subject=f"lane:{lane_id}",
                       data={"name": lane_name, "performance_id": performance_id})
    return IssuedToken(get_lane(db, lane_id), token)


def get_lane(db: Database, lane_id: int) -> Lane:
    """One lane by id. Raises NotFound."""
    row = db.execute(f"SELECT {_LANE_COLUMNS} FROM lane_tokens WHERE id = ?",
                     [lane_id]).fetchone()
    if row is None:
        raise NotFound(f"there is no lane {lane_id}")
    return _lane(row)


def list_lanes(db: Database, performance_id: int | None = None, *,
               include_revoked: bool = True) -> list[Lane]:
    """Lanes (every performance's, or one's), newest performance first, then by name."""
    where = ["1 = 1"]
    params: list[Any] = []
    if performance_id is not None:
        where.append("performance_id = ?")
        params.append(performance_id)
    if not include_revoked:
        where.append("revoked_at IS NULL")
    rows = db.execute(f"SELECT {_LANE_COLUMNS} FROM lane_tokens WHERE {' AND '.join(where)} "
                      "ORDER BY performance_id DESC, name, id", params).fetchall()
    return [_lane(row) for row in rows]


def revoke_lane_token(db: Database, actor: User, lane_id: int, *, now: datetime) -> Lane:
    """Revoke a lane's token: its next request is refused (401). Idempotent. Needs
    `event_setup`; journaled (`lane.revoke`). Raises PermissionDenied, NotFound."""
    stamp = _stamp(now)
    authorize(db, actor, "event_setup")
    with write(db):
        lane = get_lane(db, lane_id)
        if lane.revoked_at is None:
            db.execute("UPDATE lane_tokens SET revoked_at = ?, revoked_by = ? WHERE id = ?",
                       [stamp, actor.username, lane_id])
            journal.append(db, actor=actor.username, action="lane.revoke",
                           subject=f"lane:{lane_id}", data={"name": lane.name})
    return get_lane(db, lane_id)


def authenticate_lane(db: Database, token: str, *, now: datetime,
                      queue_length: int | None = None) -> Lane:
    """The lane holding `token`; notes when it was last seen (and the offline queue it
    reports) at most every few seconds. Raises LaneAuthError `unknown_token`,
    `revoked_token`: then nothing is written."""
    row = db.execute(f"SELECT {_LANE_COLUMNS} FROM lane_tokens WHERE token_hash = ?",
                     [_hash(token)]).fetchone() if token else None
    if row is None:
        raise LaneAuthError("this lane's token is not known here: ask the coordinator for "
                            "one", code="unknown_token")
    lane = _lane(row)
    if lane.revoked_at is not None:
        raise LaneAuthError(f"lane {lane.name}'s token was revoked", code="revoked_token")
    stale = lane.last_seen_at is None or now - lane.last_seen_at >= SEEN_EVERY
    if stale or (queue_length is not None and queue_length != lane.queue_length):
        queue = lane.queue_length if queue_length is None else max(0, queue_length)
        with write(db):
            db.execute("UPDATE lane_tokens SET last_seen_at = ?, queue_length = ? "
                       "WHERE id = ?", [_stamp(now), queue, lane.id])
    return lane


def lane_session(db: Database, lane: Lane, gate: str, mode: str, *,
                 zone: tzinfo = UTC) -> checkin.GateSession:
    """A gate session for an authenticated lane on the host: revocations are looked up
    live. Raises NotFound, CheckinError `bad_mode`, `bad_gate`, `cancelled`."""
    return checkin.session_for(db, lane.performance_id, gate, mode=mode, actor=lane.device,
                               zone=zone, revoked=RevocationLookup(db))


def judge(db: Database, lane: Lane, gate: str, mode: str, code: str, nonce: str, *,
          now: datetime, zone: tzinfo = UTC) -> tuple[Verdict, dict[str, Any] | None]:
    """Judge one scan for a lane (`checkin.scan`, nonce rules included) and return the
    verdict with the recorded scan (for the lane's pack; None when nothing was recorded).
    Raises LaneError `bad_nonce`, and what `lane_session` raises."""
    if not _NONCE.fullmatch(nonce):
        raise LaneError("a scan's nonce is 8 to 64 letters, digits or . _ : -",
                        code="bad_nonce")
    session = lane_session(db, lane, gate, mode, zone=zone)
    verdict = checkin.scan(db, session, code, now=now, nonce=nonce, device=lane.device)
    if verdict.scan_id is None:
        return verdict, None
    names = ", ".join(SCAN_COLUMNS)
    row = db.execute(f"SELECT {names} FROM scans WHERE id = ?", [verdict.scan_id]).fetchone()
    return verdict, dict(zip(SCAN_COLUMNS, row, strict=True))


def _scan_from_lane(lane: Lane, given: Mapping[str, Any], index: int) -> dict[str, Any]:
    def bad(what: str) -> LaneError:
        return LaneError(f"scan {index + 1}: {what}", code="bad_scan")

    if not isinstance(given, Mapping):
        raise bad("not an object")
    nonce = given.get("nonce")
    if not isinstance(nonce, str) or not _NONCE.fullmatch(nonce):
        raise bad("its nonce is 8 to 64 letters, digits or . _ : -")
    ticket_id, generation = given.get("ticket_id"), given.get("generation")
    for name, value, top in (("ticket_id", ticket_id, MAX_TICKET_ID),
                             ("generation", generation, MAX_GENERATION)):
        if value is not None and (type(value) is not int or not 0 <= value <= top):
            raise bad(f"{name} is a whole number from 0 to {top}, or null")
    direction, verdict = given.get("direction"), given.get("verdict")
    if not isinstance(direction, str) or direction not in checkin.MODES:
        raise bad("direction is entry, exit or status")
    if not isinstance(verdict, str) or verdict not in checkin.WORDS:
        raise bad(f"verdict is one of {', '.join(sorted(checkin.WORDS))}")
    gate = given.get("gate")
    if not isinstance(gate, str) or not 1 <= len(gate.strip()) <= 40:
        raise bad("gate is a name of 1 to 40 characters")
    texts = {}
    for name in ("reason", "detail"):
        value = given.get(name, "")
        if not isinstance(value, str) or len(value) > 300:
            raise bad(f"{name} is text of at most 300 characters")
        texts[name] = value
    try:
        scanned_at = given.get("scanned_at")
        if not isinstance(scanned_at, str):
            raise ValueError(scanned_at)
        scanned = datetime.fromisoformat(scanned_at)
    except ValueError as error:
        raise bad("scanned_at is an ISO 8601 time with its zone") from error
    if scanned.tzinfo is None:
        raise bad("scanned_at needs its time zone")
    return {"nonce": nonce, "ticket_id": ticket_id, "generation": generation,
            "performance_id": lane.performance_id, "gate": gate.strip(),
            "device": lane.device, "actor": lane.device, "direction": given["direction"],
            "verdict": given["verdict"], "reason": texts["reason"], "detail": texts["detail"],
            "scanned_at": scanned.astimezone(UTC).isoformat(timespec="seconds"),
            "conflict": 0}


def upload(db: Database, lane: Lane, scans: Sequence[Mapping[str, Any]], *,
           now: datetime) -> Uploaded:
    """Fold scans a lane judged offline into the host, exactly like a gate-pack merge
    (`gatepack.fold_scans`): a nonce already recorded is skipped, an admission of a
    ticket already inside is kept and flagged as a conflict, nothing is re-judged. The
    scans count for the lane's performance and device whatever they say. Journaled
    (`lane.upload`) when something was added. Raises LaneError `bad_scan` (naming the
    scan; nothing is added), `too_many_scans`.
    """
    _stamp(now)
    if len(scans) > MAX_UPLOAD:
        raise LaneError(f"upload at most {MAX_UPLOAD} scans at a time",
                        code="too_many_scans")
    rows = [_scan_from_lane(lane, scan, index) for index, scan in enumerate(scans)]
    if len({row["nonce"] for row in rows}) != len(rows):
        raise LaneError("the same nonce twice in one upload", code="bad_scan")
    with write(db):
        folded = gatepack.fold_scans(db, rows)
        if folded.added:
            journal.append(db, actor=lane.device, action="lane.upload",
                           subject=f"performance:{lane.performance_id}",
                           data={"lane": lane.id, "scans": len(rows), "added": folded.added,
                                 "conflicts": folded.conflicts})
    return Uploaded(len(rows), folded.added, len(rows) - folded.added, folded.conflicts,
                    tuple(row["nonce"] for row in rows))


def lane_pack(db: Database, lane: Lane, path: str | Path, *, now: datetime) -> gatepack.PackInfo:
    """A fresh gate pack for the lane's performance, without gate users (the lane signs
    in with its token), written to a new file at `path`. Same errors as
    `gatepack.write_pack`."""
    return gatepack.write_pack(db, lane.device, lane.performance_id, path, now=now,
                               gate_users=False)
