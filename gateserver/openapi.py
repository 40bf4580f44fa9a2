"""The check-in server's OpenAPI 3.0 document, served at /openapi.json and checked against
the running server by schemathesis (tests/gateserver/test_openapi.py)."""

from __future__ import annotations

from typing import Any

_NONCE = {"type": "string", "pattern": "^[A-Za-z0-9_.:-]{8,64}$",
          "description": "The lane's name for this one scan: a retry with the same nonce "
                         "returns the verdict recorded the first time and records nothing."}
_ERROR = {"type": "object", "required": ["error", "message"],
          "properties": {"error": {"type": "string", "description": "a stable code"},
                         "message": {"type": "string", "description": "readable"}}}
_SCAN = {
    "type": "object",
    "required": ["nonce", "ticket_id", "generation", "gate", "direction", "verdict",
                 "scanned_at"],
    "properties": {
        "nonce": _NONCE,
        "ticket_id": {"type": "integer", "nullable": True, "minimum": 0,
                      "maximum": 4294967295},
        "generation": {"type": "integer", "nullable": True, "minimum": 0, "maximum": 255},
        "performance_id": {"type": "integer"},
        "gate": {"type": "string", "minLength": 1, "maxLength": 40},
        "device": {"type": "string"},
        "actor": {"type": "string"},
        "direction": {"type": "string", "enum": ["entry", "exit", "status"]},
        "verdict": {"type": "string", "enum": [
            "ADMIT", "ALREADY_IN", "NO_REENTRY", "WRONG_EVENT", "WRONG_DAY", "NOT_YET",
            "TOO_LATE", "VOID", "REFUNDED", "UNPAID", "REVOKED", "INVALID", "EXITED",
            "NOT_IN", "STATUS"]},
        "reason": {"type": "string", "maxLength": 300},
        "detail": {"type": "string", "maxLength": 300},
        "scanned_at": {"type": "string", "format": "date-time"},
        "conflict": {"type": "integer", "enum": [0, 1]},
    },
}
_ROW = {"type": "object", "additionalProperties": True}


def _errors(*statuses: int) -> dict[str, Any]:
    words = {400: "The body is not JSON, or a cursor is not one.",
             401: "No token, or a token no lane holds, or a revoked one: nothing changed.",
             404: "Not found.", 413: "Too large.",
             422: "The request does not say what the API expects: `error` says what."}
    return {str(status): {"description": words[status], "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for status in statuses}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def openapi_document() -> dict[str, Any]:
    """The API as OpenAPI 3.0.3."""
    secured: list[dict[str, list[str]]] = [{"lane": []}]
    return {
        "openapi": "3.0.3",
        "info": {"title": "Box office check-in server", "version": "1",
                 "description": "Lanes judge scans online, upload what they judged offline "
                                "and pull changes to keep their gate pack fresh "
                                "(docs/gates.md)."},
        "components": {
            "securitySchemes": {"lane": {"type": "http", "scheme": "bearer",
                                         "description": "The lane's device token."}},
            "schemas": {"Error": _ERROR, "Scan": _SCAN},
        },
        "paths": {
            "/v1/scans": {"post": {
                "summary": "Judge one scan",
                "security": secured,
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"type": "object", "required": ["gate", "nonce", "code"],
                               "properties": {
                                   "gate": {"type": "string", "minLength": 1,
                                            "maxLength": 40},
                                   "mode": {"type": "string",
                                            "enum": ["entry", "exit", "status"]},
                                   "nonce": _NONCE,
                                   "code": {"type": "string", "minLength": 1,
                                            "maxLength": 4096}}}}}},
                "responses": {
                    "200": _json({"type": "object", "required": ["verdict", "scan"],
                                  "properties": {
                                      "verdict": {"type": "object", "required": [
                                          "code", "word", "detail", "tone", "admitted"]},
                                      "scan": {"nullable": True, "allOf": [
                                          {"$ref": "#/components/schemas/Scan"}]}}},
                                 "The verdict (judged at the server's time) and the scan "
                                 "recorded."),
                    **_errors(400, 401, 404, 413, 422)}}},
            "/v1/uploads": {"post": {
                "summary": "Upload scans judged offline (folded like a gate-pack merge)",
                "security": secured,
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"type": "object", "required": ["scans"], "properties": {
                        "scans": {"type": "array", "maxItems": 1000,
                                  "items": {"$ref": "#/components/schemas/Scan"}}}}}}},
                "responses": {
                    "200": _json({"type": "object", "required": [
                        "received", "added", "already_recorded", "conflicts", "nonces"]},
                        "What was added; nonces already recorded were skipped."),
                    **_errors(400, 401, 413, 422)}}},
            "/v1/changes": {"get": {
                "summary": "Changes for the lane's performance since a cursor",
                "security": secured,
                "parameters": [
                    {"name": "since", "in": "query", "required": False,
                     "schema": {"type": "string", "pattern": "^[0-9]+\\.[0-9]+$"},
                     "description": "The cursor of the last page (or the pack's)."},
                    {"name": "queue", "in": "query", "required": False,
                     "schema": {"type": "integer", "minimum": 0, "maximum": 999999999},
                     "description": "Scans waiting on the lane, for the dashboard."}],
                "responses": {
                    "200": _json({"type": "object", "required": [
                        "cursor", "more", "scans", "tickets", "seats", "revocations"],
                        "properties": {"cursor": {"type": "string"},
                                       "more": {"type": "boolean"},
                                       "scans": {"type": "array", "items": _ROW},
                                       "tickets": {"type": "array", "items": _ROW},
                                       "seats": {"type": "array", "items": _ROW},
                                       "revocations": {"type": "array", "items": _ROW}}},
                        "One page: apply it, then ask again from `cursor` while `more`."),
                    **_errors(400, 401, 422)}}},
            "/v1/lane": {"get": {
                "summary": "Who this token is: the lane and its performance",
                "security": secured,
                "responses": {"200": _json({"type": "object", "required": [
                    "id", "name", "performance_id"]}, "The lane."), **_errors(401, 404)}}},
            "/v1/pack": {"get": {
                "summary": "A fresh gate pack for the lane's performance (SQLite file)",
                "security": secured,
                "responses": {"200": {"description": "The pack.", "content": {
                    "application/vnd.sqlite3": {"schema": {"type": "string",
                                                           "format": "binary"}}}},
                              **_errors(401, 404, 422)}}},
            "/v1/health": {"get": {
                "summary": "The server and its database answer",
                "responses": {"200": _json({"type": "object", "required": ["status"]},
                                           "Up.")}}},
        },
    }
