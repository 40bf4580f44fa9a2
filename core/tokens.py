"""Ticket tokens: the signed code printed in a ticket's QR code, and the keys that sign it.

A token is a 12-byte record followed by its 64-byte Ed25519 signature, written as
unpadded upper-case base32 (122 characters, so the QR code uses alphanumeric mode):

    version (1, =1) | key_id (1) | ticket_id (4, big-endian) | performance_id (4)
    | generation (1) | flags (1) | signature (64)

The box office holds the private keys (one PEM file per key in `[tickets] key_dir`, mode
0600); a gate holds only public keys, so a stolen gate cannot mint tickets. Several keys
may be valid at once, which is how keys are rotated. See docs/tickets-and-codes.md.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import stat
import struct
from collections.abc import Container, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, Literal

import sqlite_utils
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from core import clock, journal
from core.db import write
from core.errors import BoxOfficeError, NotFound

VERSION: Final = 1
RECORD_SIZE: Final = 12
SIGNATURE_SIZE: Final = 64
TOKEN_LENGTH: Final = 122            # ceil((12 + 64) * 8 / 5) base32 characters

# Flag bits, for what a gate must show without asking the database (it may be offline).
COMP: Final = 1          # complimentary: the gate shows "COMP"
WHEELCHAIR: Final = 2    # wheelchair place: the gate directs to the accessible entrance
REENTRY: Final = 4       # re-entry allowed: a scan after an exit scan is not a duplicate
KNOWN_FLAGS: Final = COMP | WHEELCHAIR | REENTRY

MAX_TICKET_ID: Final = 2**32 - 1
MAX_PERFORMANCE_ID: Final = 2**32 - 1
MAX_GENERATION: Final = 255
MAX_KEY_ID: Final = 255

Reason = Literal["malformed", "bad_signature", "unknown_key", "revoked"]
MALFORMED: Final = "malformed"
BAD_SIGNATURE: Final = "bad_signature"
UNKNOWN_KEY: Final = "unknown_key"
REVOKED: Final = "revoked"

_RECORD = struct.Struct(">BBIIBB")
_TOKEN_RE = re.compile(f"[A-Za-z2-7]{{{TOKEN_LENGTH}}}")
# What a scanner really adds around a code (a trailing Enter, Tab or stray space). Anything
# longer than this is rejected before any other work, so a 10 kB paste costs nothing.
_SCANNER_WHITESPACE = " \t\r\n"
_MAX_SCANNED_LENGTH = TOKEN_LENGTH + 16
# 76 bytes are 608 bits, 122 characters carry 610: the last character's two low bits are
# padding and must be zero, or several spellings would decode to the same token.
_CANONICAL_LAST = frozenset("AEIMQUY4")
_PADDING = "=" * 6


class SigningKeyError(BoxOfficeError):
    """A signing key cannot be created, loaded or retired; `code` says why."""

    code = "signing_key"


class TokenFieldError(BoxOfficeError, ValueError):
    """A value does not fit in its token field (code `token_field_out_of_range`)."""

    code = "token_field_out_of_range"


class TokenRejected(BoxOfficeError):
    """Raised by `VerifiedToken.require()`; `code` is the rejection reason."""

    code = "token_rejected"


_REJECTION_MESSAGES: dict[str, str] = {
    MALFORMED: "This is not one of our ticket codes (or it was misread): scan it again.",
    BAD_SIGNATURE: "The code's signature does not match: the ticket is forged or damaged.",
    UNKNOWN_KEY: "The code was signed with a key this gate does not know (retired, or "
                 "from another box office).",
    REVOKED: "This copy of the ticket was replaced or cancelled.",
}


@dataclass(frozen=True)
class TokenRecord:
    """The fields of a version-1 token."""

    key_id: int
    ticket_id: int
    performance_id: int
    generation: int
    flags: int

    @property
    def comp(self) -> bool:
        return bool(self.flags & COMP)

    @property
    def wheelchair(self) -> bool:
        return bool(self.flags & WHEELCHAIR)

    @property
    def reentry(self) -> bool:
        return bool(self.flags & REENTRY)

    def pack(self) -> bytes:
        """The 12 signed bytes. Raises TokenFieldError if a field does not fit."""
        _check_range("key_id", self.key_id, 1, MAX_KEY_ID)
        _check_range("ticket_id", self.ticket_id, 0, MAX_TICKET_ID)
        _check_range("performance_id", self.performance_id, 0, MAX_PERFORMANCE_ID)
        _check_range("generation", self.generation, 0, MAX_GENERATION)
        _check_range("flags", self.flags, 0, 255)
        return _RECORD.pack(VERSION, self.key_id, self.ticket_id, self.performance_id,
                            self.generation, self.flags)


@dataclass(frozen=True)
class VerifiedToken:
    """The verdict on a scanned code: `ok`, or a `reason` from Reason.

    `record` is set when the code is accepted and also when it is `revoked` (its
    signature held, so its fields are genuine); it is None for every other rejection,
    whose fields must not be trusted or looked up.
    """

    record: TokenRecord | None = None
    reason: Reason | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None and self.record is not None

    def require(self) -> TokenRecord:
        """The record of an accepted token; raises TokenRejected (code = reason) otherwise."""
        if self.record is None or self.reason is not None:
            reason = self.reason or MALFORMED
            raise TokenRejected(_REJECTION_MESSAGES[reason], code=reason)
        return self.record

    @property
    def ticket_id(self) -> int:
        return self.require().ticket_id

    @property
    def performance_id(self) -> int:
        return self.require().performance_id

    @property
    def generation(self) -> int:
        return self.require().generation

    @property
    def flags(self) -> int:
        return self.require().flags

    @property
    def key_id(self) -> int:
        return self.require().key_id


@dataclass(frozen=True)
class Signer:
    """A private key able to sign tokens; get one from `load_signer`."""

    key_id: int
    private_key: Ed25519PrivateKey = field(repr=False)

    def sign(self, ticket_id: int, performance_id: int, generation: int, flags: int = 0) -> str:
        """The token for one ticket copy: exactly 122 characters of A-Z and 2-7.

        Raises TokenFieldError if an id exceeds 2^32-1, the generation exceeds 255 or
        `flags` has a bit that is not one of COMP, WHEELCHAIR, REENTRY.
        """
        _check_range("flags", flags, 0, 255)
        if flags & ~KNOWN_FLAGS:
            raise TokenFieldError(f"flags {flags:#04x} has bits no gate knows "
                                  f"(known: {KNOWN_FLAGS:#04x})")
        record = TokenRecord(self.key_id, ticket_id, performance_id, generation, flags).pack()
        signed = record + self.private_key.sign(record)
        return base64.b32encode(signed).decode("ascii").rstrip("=")


def _check_range(name: str, value: int, low: int, high: int) -> None:
    if type(value) is not int:
        raise TokenFieldError(f"{name} must be an integer, not {value!r}")
    if not low <= value <= high:
        raise TokenFieldError(f"{name} {value} does not fit in a ticket code "
                              f"(it must be between {low} and {high})")


def _normalise(text: object) -> str | None:
    """The scanned text as an upper-case token string, or None if it cannot be one."""
    if isinstance(text, bytes | bytearray):
        if len(text) > _MAX_SCANNED_LENGTH:
            return None
        try:
            text = bytes(text).decode("ascii")
        except UnicodeDecodeError:
            return None
    if not isinstance(text, str) or len(text) > _MAX_SCANNED_LENGTH:
        return None
    text = text.strip(_SCANNER_WHITESPACE)
    if _TOKEN_RE.fullmatch(text) is None:
        return None
    text = text.upper()
    return text if text[-1] in _CANONICAL_LAST else None


def _split(text: object) -> tuple[TokenRecord, bytes, bytes] | None:
    token = _normalise(text)
    if token is None:
        return None
    try:
        raw = base64.b32decode(token + _PADDING)
    except binascii.Error:
        return None
    record, signature = raw[:RECORD_SIZE], raw[RECORD_SIZE:]
    version, key_id, ticket_id, performance_id, generation, flags = _RECORD.unpack(record)
    if version != VERSION or len(signature) != SIGNATURE_SIZE:
        return None
    return TokenRecord(key_id, ticket_id, performance_id, generation, flags), record, signature


def normalise_scan(text: str | bytes | bytearray) -> str | None:
    """The canonical token string for what a scanner typed, or None if it is malformed.

    Only surrounding spaces, tabs, CR and LF are removed and lower case is accepted;
    the signature is not checked. Never raises.
    """
    return None if _split(text) is None else _normalise(text)


def decode_unverified(text: str | bytes | bytearray) -> TokenRecord | None:
    """The fields of a well-formed code WITHOUT checking its signature, for display and
    debugging only: never admit, look up or sell from this. None if malformed. Never raises.
    """
    parts = _split(text)
    return None if parts is None else parts[0]


def verify_token(text: str | bytes | bytearray, keys: Mapping[int, Ed25519PublicKey],
                 revoked: Container[tuple[int, int]]) -> VerifiedToken:
    """Check a scanned code: decode → key → signature → revoked, in that order.

    `keys` are the valid public keys by key id (`public_keys` or `import_public_keys`);
    `revoked` holds (ticket_id, generation) pairs (`revoked_set`). Never raises, whatever
    `text` is (str or bytes, any length): a rejection is a VerifiedToken whose `reason` is
    malformed, unknown_key, bad_signature or revoked. Accepts only a genuine code, with
    at most surrounding whitespace removed and lower case turned upper.
    """
    parts = _split(text)
    if parts is None:
        return VerifiedToken(reason=MALFORMED)
    fields, record, signature = parts
    key = keys.get(fields.key_id)
    if key is None:
        return VerifiedToken(reason=UNKNOWN_KEY)
    try:
        key.verify(signature, record)
    except InvalidSignature:
        return VerifiedToken(reason=BAD_SIGNATURE)
    if (fields.ticket_id, fields.generation) in revoked:
        return VerifiedToken(record=fields, reason=REVOKED)
    return VerifiedToken(record=fields)


# --- keys ---------------------------------------------------------------------------------

def key_path(key_dir: Path, key_id: int) -> Path:
    """Where the private key `key_id` lives: `key_dir/ticket-signing-<key_id>.pem`."""
    return Path(key_dir) / f"ticket-signing-{key_id}.pem"


def _now() -> str:
    return clock.now().isoformat(timespec="seconds")


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _active_key_id(db: sqlite_utils.Database) -> int | None:
    row = db.execute(
        "SELECT max(key_id) FROM signing_keys WHERE retired_at IS NULL").fetchone()
    return None if row is None or row[0] is None else int(row[0])


def _write_key_file(path: Path, pem: bytes) -> None:
    """Create `path` holding `pem`, mode 0600, never replacing an existing file.

    The content goes to a temporary file created with O_EXCL and mode 0600, is synced,
    then hard-linked to its name (which fails if the name exists), so the key file never
    exists half-written or readable by others, not even for a moment.
    """
    directory = path.parent
    if not directory.exists():
        directory.mkdir(mode=0o700, parents=True)
        os.chmod(directory, 0o700)       # mkdir's mode is filtered by the umask
    temporary = directory / f".{path.name}.{os.urandom(6).hex()}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o600)    # exactly 0600 whatever the umask
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError as exc:
            raise SigningKeyError(
                f"{path} already exists, but this database has no signing key with that "
                "number: it belongs to another database, or to an interrupted key creation. "
                "Move it aside (never delete a key you may still need) or use another "
                "[tickets] key_dir.", code="key_file_exists") from exc
    finally:
        temporary.unlink(missing_ok=True)
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)                 # the new name survives a power cut
    finally:
        os.close(dir_fd)


def _make_key(db: sqlite_utils.Database, key_dir: Path, actor: str, *,
              reuse_active: bool) -> int:
    written: Path | None = None
    try:
        with write(db):
            active = _active_key_id(db)
            if reuse_active and active is not None:
                return active
            row = db.execute("SELECT max(key_id) FROM signing_keys").fetchone()
            key_id = int(row[0] or 0) + 1
            if key_id > MAX_KEY_ID:
                raise SigningKeyError(f"all {MAX_KEY_ID} signing key numbers are used",
                                      code="key_ids_exhausted")
            private = Ed25519PrivateKey.generate()
            public = _raw_public(private.public_key())
            path = key_path(key_dir, key_id)
            _write_key_file(path, private.private_bytes(serialization.Encoding.PEM,
                                                        serialization.PrivateFormat.PKCS8,
                                                        serialization.NoEncryption()))
            written = path
            db.execute("INSERT INTO signing_keys (key_id, public_key, created_at) "
                       "VALUES (?, ?, ?)", [key_id, public, _now()])
            journal.append(db, actor=actor, action="signing_key.create",
                           subject=f"signing_key:{key_id}",
                           data={"public_key": base64.b64encode(public).decode("ascii"),
                                 "file": str(path)})
            return key_id
    except BaseException:
        # The key was never committed, so nothing can have been signed with it.
        if written is not None:
            written.unlink(missing_ok=True)
        raise


def ensure_signing_key(db: sqlite_utils.Database, key_dir: Path, *,
                       actor: str = "system") -> int:
    """The id of the active signing key, creating the first one if there is none.

    A new key gets id max+1; its private key is written to `key_path(key_dir, id)`
    (PKCS8 PEM, unencrypted, mode 0600; a missing `key_dir` is created mode 0700) and its
    public key is stored in `signing_keys`, journaled, in one transaction. Does not check
    an existing key's file (`load_signer` does). Raises SigningKeyError `key_file_exists`
    or `key_ids_exhausted`; OSError if `key_dir` cannot be written.
    """
    return _make_key(db, Path(key_dir), actor, reuse_active=True)


def rotate_signing_key(db: sqlite_utils.Database, key_dir: Path, *,
                       actor: str = "system") -> int:
    """Create a new signing key and make it the active one; returns its id.

    Older keys stay valid for verification until `retire_key`. Same file and errors as
    `ensure_signing_key`.
    """
    return _make_key(db, Path(key_dir), actor, reuse_active=False)


def retire_key(db: sqlite_utils.Database, key_id: int, *, actor: str = "system") -> None:
    """Stop accepting codes signed with `key_id` (they then scan as `unknown_key`).

    Idempotent. Raises NotFound for an unknown key and SigningKeyError `last_signing_key`
    when it is the only key still active (rotate first). The private key file is left
    where it is: deleting it is the administrator's decision.
    """
    with write(db):
        row = db.execute("SELECT retired_at FROM signing_keys WHERE key_id = ?",
                         [key_id]).fetchone()
        if row is None:
            raise NotFound(f"there is no signing key {key_id}")
        if row[0] is not None:
            return
        others = db.execute("SELECT count(*) FROM signing_keys WHERE retired_at IS NULL "
                            "AND key_id != ?", [key_id]).fetchone()[0]
        if others == 0:
            raise SigningKeyError(
                f"key {key_id} is the only active signing key: rotate to a new key before "
                "retiring it, or no ticket could be printed", code="last_signing_key")
        db.execute("UPDATE signing_keys SET retired_at = ? WHERE key_id = ?", [_now(), key_id])
        journal.append(db, actor=actor, action="signing_key.retire",
                       subject=f"signing_key:{key_id}", data={})


def load_signer(db: sqlite_utils.Database, key_dir: Path) -> Signer:
    """A Signer for the newest unretired key, after checking its file.

    Raises SigningKeyError with code `no_signing_key` (none active: run
    `ensure_signing_key`), `key_file_missing`, `key_file_permissions` (group or others may
    read or write it), `key_file_unreadable`, `key_file_invalid` (not an unencrypted
    Ed25519 PEM key) or `key_file_mismatch` (not the key whose public half is stored).
    """
    key_id = _active_key_id(db)
    if key_id is None:
        raise SigningKeyError("there is no active ticket signing key",
                              code="no_signing_key")
    stored = db.execute("SELECT public_key FROM signing_keys WHERE key_id = ?",
                        [key_id]).fetchone()[0]
    path = key_path(Path(key_dir), key_id)
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError as exc:
        raise SigningKeyError(f"the signing key file {path} is missing: restore it from "
                              "the key backup", code="key_file_missing") from exc
    except OSError as exc:
        raise SigningKeyError(f"cannot read the signing key file {path} ({exc.strerror})",
                              code="key_file_unreadable") from exc
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise SigningKeyError(f"{path} is not a regular file", code="key_file_invalid")
        if mode & 0o077:
            raise SigningKeyError(
                f"the signing key file {path} may be read by other users (mode "
                f"{stat.S_IMODE(mode):04o}): run `chmod 600 {path}`",
                code="key_file_permissions")
        pem = handle.read()
    try:
        private = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise SigningKeyError(f"{path} is not an unencrypted PEM private key",
                              code="key_file_invalid") from exc
    if not isinstance(private, Ed25519PrivateKey):
        raise SigningKeyError(f"{path} is not an Ed25519 key", code="key_file_invalid")
    if _raw_public(private.public_key()) != bytes(stored):
        raise SigningKeyError(
            f"{path} is not signing key {key_id} of this database (its public key differs): "
            "restore the right file from the key backup", code="key_file_mismatch")
    return Signer(key_id, private)


def public_keys(db: sqlite_utils.Database) -> dict[int, Ed25519PublicKey]:
    """Every unretired public key by key id: what `verify_token` needs."""
    rows = db.execute("SELECT key_id, public_key FROM signing_keys WHERE retired_at IS NULL")
    return {int(key_id): Ed25519PublicKey.from_public_bytes(bytes(raw))
            for key_id, raw in rows}


def export_public_keys(db: sqlite_utils.Database) -> dict[str, str]:
    """The unretired public keys for a gate pack, JSON-ready: {"<key_id>": base64 raw key}."""
    return {str(key_id): base64.b64encode(_raw_public(key)).decode("ascii")
            for key_id, key in sorted(public_keys(db).items())}


def import_public_keys(pack: Mapping[str, str]) -> dict[int, Ed25519PublicKey]:
    """The inverse of `export_public_keys`, for a gate. Raises BoxOfficeError `bad_key_pack`."""
    keys: dict[int, Ed25519PublicKey] = {}
    for key_id, encoded in pack.items():
        try:
            number = int(key_id)
            raw = base64.b64decode(encoded, validate=True)
            if not 1 <= number <= MAX_KEY_ID or len(raw) != 32:
                raise ValueError(key_id)
            keys[number] = Ed25519PublicKey.from_public_bytes(raw)
        except (ValueError, TypeError, binascii.Error) as exc:
            raise BoxOfficeError(f"the gate pack's public key {key_id!r} is not valid",
                                 code="bad_key_pack") from exc
    return keys


# --- revocation ---------------------------------------------------------------------------

def revoke(db: sqlite_utils.Database, ticket_id: int, generation: int, reason: str, *,
           actor: str = "system", at: datetime | None = None) -> bool:
    """Revoke one copy (ticket, generation) of a ticket so gates refuse it as `revoked`.

    Idempotent: True if it was newly revoked (and journaled), False if it already was.
    Joins the caller's transaction. Raises TokenFieldError for an id that could not be in
    a code, BoxOfficeError `no_reason` for an empty reason.
    """
    _check_range("ticket_id", ticket_id, 0, MAX_TICKET_ID)
    _check_range("generation", generation, 0, MAX_GENERATION)
    if not reason.strip():
        raise BoxOfficeError("a revocation needs a reason", code="no_reason")
    with write(db):
        inserted = db.execute(
            "INSERT OR IGNORE INTO revocations (ticket_id, generation, revoked_at, reason) "
            "VALUES (?, ?, ?, ?)",
            [ticket_id, generation,
             at.astimezone(UTC).isoformat(timespec="seconds") if at else _now(),
             reason.strip()]).rowcount
        if inserted:
            journal.append(db, actor=actor, action="ticket.revoke",
                           subject=f"ticket:{ticket_id}",
                           data={"generation": generation, "reason": reason.strip()})
    return bool(inserted)


def revoked_set(db: sqlite_utils.Database) -> frozenset[tuple[int, int]]:
    """Every revoked (ticket_id, generation): what `verify_token` needs."""
    return frozenset((int(t), int(g)) for t, g in
                     db.execute("SELECT ticket_id, generation FROM revocations"))
