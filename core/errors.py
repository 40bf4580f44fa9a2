"""Errors that carry a stable machine code and a message a seller can read."""

from __future__ import annotations


class BoxOfficeError(Exception):
    """Base of every error a core service raises on purpose.

    `code` is stable (callers map it to their own words); `message` is already readable.
    """

    code = "error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message


class NotFound(BoxOfficeError):
    code = "not_found"


class ConfigError(BoxOfficeError):
    code = "config"


class DatabaseLocationError(BoxOfficeError):
    code = "network_filesystem"


class DatabaseBusy(BoxOfficeError):
    """The write lock was not free within the lock wait: nothing was changed."""
    code = "busy"


class JournalBroken(BoxOfficeError):
    code = "journal_broken"
