"""RFC 9457 problem details for every error the API can return."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from cellwatch.errors import AuthenticationFailed, CellwatchError

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("cellwatch.api")


def problem_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    """A problem-details response with its media type."""
    return JSONResponse(body, status_code=int(body["status"]), media_type=PROBLEM_JSON,
                        headers=headers)


def _cellwatch_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, CellwatchError)
    body = exc.to_problem()
    body["instance"] = request.url.path
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, AuthenticationFailed) else None
    if exc.http_status >= 500:
        # Never leak SQL or internals to a client; the server log keeps them, under the
        # request id the client is given.
        request_id = getattr(request.state, "request_id", None)
        log.error("%s %s failed request_id=%s", request.method, request.url.path, request_id,
                  exc_info=exc)
        body["detail"] = "internal error"
        body["request_id"] = request_id
    return problem_response(body, headers)


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors: dict[str, list[str]] = {}
    for error in exc.errors():
        field = ".".join(str(part) for part in error.get("loc", ()))
        errors.setdefault(field or "request", []).append(str(error.get("msg", "invalid")))
    return problem_response({
        "type": "https://cellwatch.invalid/problems/invalid-data", "title": "InvalidData",
        "status": 422, "detail": "the request is not valid", "errors": errors,
        "instance": request.url.path})


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return problem_response({
        "type": "about:blank", "title": str(exc.detail), "status": exc.status_code,
        "detail": str(exc.detail), "instance": request.url.path},
        dict(exc.headers) if exc.headers else None)


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    return problem_response({"type": "about:blank", "title": "Internal Server Error",
                             "status": 500, "detail": "internal error",
                             "instance": request.url.path})


def install(app: FastAPI) -> None:
    """Render every error as problem details."""
    app.add_exception_handler(CellwatchError, _cellwatch_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)


def _problem(text: str) -> dict[str, Any]:
    return {"description": text, "content": {PROBLEM_JSON: {"schema": {
        "$ref": "#/components/schemas/Problem"}}}}


# The documented error shape, for OpenAPI.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: _problem(text)
    for code, text in ((401, "Not authenticated"), (403, "Access denied"),
                       (404, "Not found, or outside your scope (answered alike)"),
                       (422, "Invalid request"))
}
_BODY_ERRORS = {"400": "The body cannot be read (not the documented media type, or "
                       "unparseable)"}
_WRITE_ERRORS = {"409": "Conflicts with the record's current state"}


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Add to every operation of ``schema`` the problem answers it can give: 400 where it
    reads a body, 409 where it writes; every error as problem details, never FastAPI's own
    validation shape (the handlers above render every error)."""
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            extra = dict(_BODY_ERRORS) if "requestBody" in operation else {}
            if method in ("post", "put", "patch", "delete"):
                extra.update(_WRITE_ERRORS)
            for code, text in extra.items():
                responses.setdefault(code, _problem(text))
            if "422" in responses:
                responses["422"] = _problem("Invalid request")
    schema.get("components", {}).get("schemas", {}).pop("HTTPValidationError", None)
    schema.get("components", {}).get("schemas", {}).pop("ValidationError", None)
    return schema
