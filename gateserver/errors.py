"""One place maps a core error to an HTTP status and a JSON body `{"error", "message"}`."""

from __future__ import annotations

from typing import Final

from starlette.responses import JSONResponse

from core.errors import BoxOfficeError, NotFound
from core.gate.lanes import LaneAuthError
from core.people.permissions import PermissionDenied

# Codes that are the request's fault in a way other than its content.
_STATUS_BY_CODE: Final = {"too_many_scans": 413, "body_too_large": 413}


class RequestError(BoxOfficeError):
    """A request that does not say what the API expects (`bad_json`, `bad_request`)."""

    code = "bad_request"

    def __init__(self, message: str, *, code: str = "bad_request", status: int = 422) -> None:
        super().__init__(message, code=code)
        self.status = status


def status_of(error: BoxOfficeError) -> int:
    if isinstance(error, RequestError):
        return error.status
    if isinstance(error, LaneAuthError):
        return 401
    if isinstance(error, PermissionDenied):
        return 403
    if isinstance(error, NotFound):
        return 404
    return _STATUS_BY_CODE.get(error.code, 422)


def error_response(error: BoxOfficeError) -> JSONResponse:
    status = status_of(error)
    headers = {"WWW-Authenticate": 'Bearer realm="gate"'} if status == 401 else None
    return JSONResponse({"error": error.code, "message": error.message}, status_code=status,
                        headers=headers)
