"""Signing keys and revocation: the box office's private keys (one PEM file per key in
`[tickets] key_dir`, mode 0600) and the public keys gates hold, rotated and retired; and
the revocation list a gate refuses codes on. The codes themselves are core.gate.codes."""

from __future__ import annotations

import base64
import binascii
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from core import clock
from core.errors import BoxOfficeError, NotFound
from core.free_text import LONG, clean_text
from core.gate.codes import MAX_GENERATION, MAX_KEY_ID, MAX_TICKET_ID, Signer, check_range
from core.people.models import User
from core.people.permissions import authorize
from core.store import journal
from core.store.db import Database, write


class SigningKeyError(BoxOfficeError):
    """A signing key cannot be created, loaded or retired; `code` says why."""

    code = "signing_key"


def key_path(key_dir: Path, key_id: int) -> Path:
    """Where the private key `key_id` lives: `key_dir/ticket-signing-<key_id>.pem`."""
    return Path(key_dir) / f"ticket-signing-{key_id}.pem"


def _now() -> str:
    return clock.now().isoformat(timespec="seconds")


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _active_key_id(db: Database) -> int | None:
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


def _make_key(db: Database, key_dir: Path, actor: str, *,
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


def ensure_signing_key(db: Database, key_dir: Path, *,
                       actor: str = "system") -> int:
    """The id of the active signing key, creating the first one if there is none.

    A new key gets id max+1; its private key is written to `key_path(key_dir, id)`
    (PKCS8 PEM, unencrypted, mode 0600; a missing `key_dir` is created mode 0700) and its
    public key is stored in `signing_keys`, journaled, in one transaction. Does not check
    an existing key's file (`load_signer` does). Raises SigningKeyError `key_file_exists`
    or `key_ids_exhausted`; OSError if `key_dir` cannot be written.
    """
    return _make_key(db, Path(key_dir), actor, reuse_active=True)


def rotate_signing_key(db: Database, actor: User, key_dir: Path) -> int:
    """Create a new signing key and make it the active one; returns its id.

    Older keys stay valid for verification until `retire_key`. Needs `user_admin`. Same
    file and errors as `ensure_signing_key`, and PermissionDenied.
    """
    authorize(db, actor, "user_admin")
    return _make_key(db, Path(key_dir), actor.username, reuse_active=False)


def retire_key(db: Database, actor: User, key_id: int) -> None:
    """Stop accepting codes signed with `key_id` (they then scan as `unknown_key`).

    Idempotent. Needs `user_admin`. Raises PermissionDenied, NotFound for an unknown key
    and SigningKeyError `last_signing_key` when it is the only key still active (rotate
    first). The private key file is left where it is: deleting it is the administrator's
    decision.
    """
    authorize(db, actor, "user_admin")
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
        journal.append(db, actor=actor.username, action="signing_key.retire",
                       subject=f"signing_key:{key_id}", data={})


@dataclass(frozen=True)
class SigningKey:
    """One signing key as an administrator sees it (never the private key)."""

    key_id: int
    created_at: datetime
    retired_at: datetime | None
    signing: bool               # the key new tickets are signed with

    @property
    def status(self) -> str:
        return "signing" if self.signing else ("retired" if self.retired_at else "valid")


def list_keys(db: Database) -> list[SigningKey]:
    """Every signing key, oldest first: the newest unretired one signs new tickets, every
    unretired one is still accepted at the gate."""
    rows = db.execute("SELECT key_id, created_at, retired_at FROM signing_keys "
                      "ORDER BY key_id").fetchall()
    active = _active_key_id(db)
    return [SigningKey(key_id, datetime.fromisoformat(created),
                       datetime.fromisoformat(retired) if retired else None,
                       key_id == active) for key_id, created, retired in rows]


def load_signer(db: Database, key_dir: Path) -> Signer:
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


def public_keys(db: Database) -> dict[int, Ed25519PublicKey]:
    """Every unretired public key by key id: what `verify_token` needs."""
    rows = db.execute("SELECT key_id, public_key FROM signing_keys WHERE retired_at IS NULL")
    return {int(key_id): Ed25519PublicKey.from_public_bytes(bytes(raw))
            for key_id, raw in rows}


def export_public_keys(db: Database) -> dict[str, str]:
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


def revoke(db: Database, ticket_id: int, generation: int, reason: str, *,
           actor: str = "system", at: datetime | None = None) -> bool:
    """Revoke one copy (ticket, generation) of a ticket so gates refuse it as `revoked`.

    Idempotent: True if it was newly revoked (and journaled), False if it already was.
    Joins the caller's transaction. Raises TokenFieldError for an id that could not be in
    a code, BoxOfficeError `no_reason` for an empty reason.
    """
    check_range("ticket_id", ticket_id, 0, MAX_TICKET_ID)
    check_range("generation", generation, 0, MAX_GENERATION)
    if not reason.strip():
        raise BoxOfficeError("a revocation needs a reason", code="no_reason")
    reason = clean_text(reason, "reason", max_length=LONG)
    with write(db):
        inserted = db.execute(
            "INSERT INTO revocations (ticket_id, generation, revoked_at, reason) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (ticket_id, generation) DO NOTHING",
            [ticket_id, generation,
             at.astimezone(UTC).isoformat(timespec="seconds") if at else _now(),
             reason.strip()]).rowcount
        if inserted:
            journal.append(db, actor=actor, action="ticket.revoke",
                           subject=f"ticket:{ticket_id}",
                           data={"generation": generation, "reason": reason.strip()})
    return bool(inserted)


def revoked_set(db: Database) -> frozenset[tuple[int, int]]:
    """Every revoked (ticket_id, generation): what `verify_token` needs."""
    return frozenset((int(t), int(g)) for t, g in
                     db.execute("SELECT ticket_id, generation FROM revocations"))


class RevocationLookup:
    """The revocation list as the database holds it at each question: for a long-running
    check-in server, where a copy revoked a moment ago must be refused at once. One
    primary-key lookup per code (`verify_token` asks only about a code it verified)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def __contains__(self, item: object) -> bool:
        if not isinstance(item, tuple) or len(item) != 2:
            return False
        return self.db.execute("SELECT 1 FROM revocations WHERE ticket_id = ? AND "
                               "generation = ?", list(item)).fetchone() is not None
