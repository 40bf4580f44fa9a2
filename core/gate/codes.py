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
import re
import struct
from collections.abc import Container, Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from core.errors import BoxOfficeError

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
        check_range("key_id", self.key_id, 1, MAX_KEY_ID)
        check_range("ticket_id", self.ticket_id, 0, MAX_TICKET_ID)
        check_range("performance_id", self.performance_id, 0, MAX_PERFORMANCE_ID)
        check_range("generation", self.generation, 0, MAX_GENERATION)
        check_range("flags", self.flags, 0, 255)
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
        check_range("flags", flags, 0, 255)
        if flags & ~KNOWN_FLAGS:
            raise TokenFieldError(f"flags {flags:#04x} has bits no gate knows "
                                  f"(known: {KNOWN_FLAGS:#04x})")
        record = TokenRecord(self.key_id, ticket_id, performance_id, generation, flags).pack()
        signed = record + self.private_key.sign(record)
        return base64.b32encode(signed).decode("ascii").rstrip("=")


def check_range(name: str, value: int, low: int, high: int) -> None:
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


# --- revocation ---------------------------------------------------------------------------


