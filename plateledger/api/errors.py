"""Errors as JSON: {"error": code, "detail": message, "field": dotted-name-or-null}, with the right status.

Validation errors answer 422 naming the first failing field's dotted path (the "body"/"query"/"path" prefix
and discriminated-union tags dropped), malformed JSON answers 400, and no input may produce a 500: anything
unexpected is answered with a generic 500 body and logged, never with a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from plateledger.access.users import AccessError
from plateledger.policy.decision import Refused

log = logging.getLogger(__name__)
_LOCATIONS = {"body", "query", "path", "header", "cookie"}
_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid",
    500: "internal",
}


class ApiError(HTTPException):
    def __init__(self, status: int, code: str, detail: str, field: str | None = None) -> None:
        super().__init__(status, detail)
        self.code = code
        self.field = field


def error_body(code: str, detail: str, field: str | None = None) -> dict[str, Any]:
    return {"error": code, "detail": detail, "field": field}


def error_response(status: int, code: str, detail: str, field: str | None = None, **headers: str) -> JSONResponse:
    return JSONResponse(error_body(code, detail, field), status_code=status, headers=headers or None)


def dotted(loc: Sequence[Any]) -> str | None:
    """('body', 'kind:exact', 'window', 'start') -> 'window.start'."""
    parts = [str(part) for part in loc]
    if parts and parts[0] in _LOCATIONS:
        parts = parts[1:]
    parts = [part for part in parts if ":" not in part]  # tags of discriminated unions, e.g. 'kind:exact'
    return ".".join(parts) or None


def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if not errors:
        return error_response(422, "invalid", "the request is not valid")
    first = errors[0]
    if first.get("type") == "json_invalid":
        context = first.get("ctx") or {}
        position = first["loc"][-1] if first.get("loc") else "?"
        return error_response(400, "malformed_json", f"malformed JSON: {context.get('error', 'invalid')} at {position}")
    field = dotted(first.get("loc", ()))
    context = first.get("ctx") or {}
    if "field" in context:  # a discriminator that could not pick a variant names its own field
        field = ".".join(part for part in (field, str(context["field"])) if part)
    if first.get("type") == "missing" and field is None:
        return error_response(422, "missing", "a JSON request body is required")
    message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
    return error_response(422, "invalid", f"{field}: {message}" if field else message, field)


def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    code = getattr(exc, "code", None) or _CODES.get(status, HTTPStatus(status).phrase.lower().replace(" ", "_"))
    headers = dict(exc.headers or {})
    if status == 401:
        headers.setdefault("WWW-Authenticate", "Bearer")
    allowed = getattr(request.app.state, "allowed_methods", None)
    if status == 405 and allowed is not None:  # every method of the path, not only those of one route
        headers["Allow"] = ", ".join(sorted(allowed(request.url.path)))
    return error_response(status, code, str(exc.detail), getattr(exc, "field", None), **headers)


def _refused(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Refused)
    decision = exc.decision
    headers = {"WWW-Authenticate": "Bearer"} if decision.status == 401 else {}
    return error_response(decision.status, decision.code, decision.reason, decision.field, **headers)


def _access(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AccessError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else {}
    return error_response(exc.status, exc.code, exc.detail, exc.field, **headers)


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(500, "internal", "an unexpected error; it has been logged")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(Refused, _refused)
    app.add_exception_handler(AccessError, _access)
    app.add_exception_handler(Exception, _unexpected)
