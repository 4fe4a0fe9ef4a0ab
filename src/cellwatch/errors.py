"""The one error hierarchy of cellwatch.

Every error cellwatch raises on purpose derives from :class:`CellwatchError`.
Each class knows how it is shown: an HTTP status for the API, an exit code for
the CLI, and a stable ``code`` string for machines. Foreign errors (SQLAlchemy,
DuckDB, Spark) are translated once, at the store and lake boundaries.

    CellwatchError
    ├── ConfigError                 bad settings or scenario file
    ├── InvalidData                 a value or record breaks a rule (field -> reasons)
    │   └── InvalidIdentifier       an IMEI, IMSI, ICCID, number or account is not valid
    │       ├── InvalidLength
    │       ├── InvalidChecksum
    │       ├── InvalidFormat
    │       └── UnknownComponent    e.g. an MCC or platform nobody knows
    ├── IngestError
    │   ├── UnknownKind             ``cellwatch ingest KIND`` with a kind we do not take
    │   ├── MalformedFile           the file as a whole is unusable; nothing was stored
    │   └── UploadTooLarge          an upload passed ``max_upload_bytes`` (413)
    ├── NotFound
    ├── AuthenticationFailed
    │   └── TooManyAttempts         locked out after repeated failures, or rate limited (429)
    ├── AccessDenied
    │   └── Denied                  a policy refusal: the action, target and reason, audited
    │       ├── ReasonRequired      allowed once a reason is stated
    │       └── Concealed           out of scope: audited, then answered as NotFound
    ├── Conflict
    │   └── IllegalTransition       a workflow state change that is not allowed
    ├── StoreError                  the relational store failed (SQL attached)
    └── LakeError                   the event lake failed (SQL attached)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


class CellwatchError(Exception):
    """Root of every error cellwatch raises on purpose."""

    http_status: int = 500
    exit_code: int = 2
    code: str = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_problem(self) -> dict[str, object]:
        """Render as an RFC 9457 problem-details body."""
        return {
            "type": f"https://cellwatch.invalid/problems/{self.code}",
            "title": type(self).__name__,
            "status": self.http_status,
            "detail": self.message,
        }


class ConfigError(CellwatchError):
    """Settings, a scenario or a policy file are not usable."""

    code = "config"


class InvalidData(CellwatchError, ValueError):
    """A value or record breaks a rule; ``errors`` maps each field to its reasons."""

    http_status = 422
    exit_code = 1
    code = "invalid-data"

    def __init__(self, message: str, errors: Mapping[str, Sequence[str]] | None = None) -> None:
        super().__init__(message)
        self.errors: dict[str, list[str]] = {k: list(v) for k, v in (errors or {}).items()}

    def to_problem(self) -> dict[str, object]:
        body = super().to_problem()
        if self.errors:
            body["errors"] = self.errors
        return body


class InvalidIdentifier(InvalidData):
    """An identifier is not valid; the message says why."""

    code = "invalid-identifier"


class InvalidLength(InvalidIdentifier):
    """The identifier has the wrong number of digits or characters."""

    code = "invalid-length"


class InvalidChecksum(InvalidIdentifier):
    """The identifier's check digit does not match."""

    code = "invalid-checksum"


class InvalidFormat(InvalidIdentifier):
    """The identifier has characters or a shape it may not have."""

    code = "invalid-format"


class UnknownComponent(InvalidIdentifier):
    """A part of the identifier (MCC, issuer, platform) is not known."""

    code = "unknown-component"


class IngestError(CellwatchError):
    """Ingest could not proceed."""

    code = "ingest"


class UnknownKind(IngestError):
    """The ingest kind is not one cellwatch takes."""

    http_status = 400
    code = "unknown-kind"


class MalformedFile(IngestError):
    """A whole file is unusable (encoding, header, truncation); nothing was stored."""

    http_status = 400
    code = "malformed-file"

    def __init__(self, path: str, reason: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {reason}")
        self.path = path
        self.reason = reason
        self.line = line


class UploadTooLarge(IngestError):
    """An upload passed ``settings.max_upload_bytes``; nothing of it was kept."""

    http_status = 413
    code = "upload-too-large"


class NotFound(CellwatchError):
    """The thing asked for does not exist (or the principal may not know it does)."""

    http_status = 404
    exit_code = 1
    code = "not-found"


class AuthenticationFailed(CellwatchError):
    """Credentials or token are missing, wrong or expired."""

    http_status = 401
    code = "authentication-failed"


class TooManyAttempts(AuthenticationFailed):
    """Sign-in refused without checking the password: the user name is locked out for a
    while after repeated failures, or the client address is failing too fast (429)."""

    http_status = 429
    code = "too-many-attempts"


class SignInRequired(AuthenticationFailed):
    """Nobody is signed in (or the session expired): the page sends them to sign in."""

    code = "sign-in-required"


class AccessDenied(CellwatchError):
    """The principal may not do this."""

    http_status = 403
    code = "access-denied"


class Denied(AccessDenied):
    """A refusal by the access policy that remembers what was asked (the action, the
    policy's target, the reason stated), so the denial can be audited. It keeps
    :class:`AccessDenied`'s code: to a client it is that 403."""

    def __init__(self, message: str, action: str, target: Any, reason: str | None) -> None:
        super().__init__(message)
        self.action = action
        # A cellwatch.access.policy.Target: not named here, so that errors stays at the
        # bottom of the import graph.
        self.target = target
        self.reason = reason


class ReasonRequired(Denied):
    """A denial only for want of a stated reason: the policy itself would allow it.

    Shells catch it to say how to give one (``--reason``, a header, a form); the API's
    problem details name the missing field.
    """

    def to_problem(self) -> dict[str, object]:
        body = super().to_problem()
        body["errors"] = {"reason": ["a stated reason is required outside your own organisation"]}
        return body


class Concealed(Denied):
    """A denial of a record the principal may not even know exists: audited as denied by
    the transaction it is raised in (``Access.transaction``), then answered as the record's
    absence, a :class:`NotFound` whose message is ``unknown`` (what a missing record of the
    kind gets) or, without it, the service layer's ``<kind> <id> not found``."""

    def __init__(self, message: str, action: str, target: Any, reason: str | None,
                 unknown: str | None = None) -> None:
        super().__init__(message, action, target, reason)
        self.unknown = unknown


class Conflict(CellwatchError):
    """The request conflicts with the current state."""

    http_status = 409
    code = "conflict"


class IllegalTransition(Conflict):
    """A workflow may not move from its current state to the one asked for."""

    code = "illegal-transition"


class StoreError(CellwatchError):
    """The relational store failed; ``sql`` holds the statement when known."""

    code = "store"

    def __init__(self, message: str, sql: str | None = None) -> None:
        super().__init__(message)
        self.sql = sql


class ForgedCheckpoint(CellwatchError, ValueError):
    """A signed audit checkpoint that does not verify (or cannot be read): the audit log
    or its checkpoints were tampered with."""

    code = "forged-checkpoint"


class LakeError(CellwatchError):
    """The event lake failed; ``sql`` holds the query when known."""

    code = "lake"

    def __init__(self, message: str, sql: str | None = None) -> None:
        super().__init__(message)
        self.sql = sql


class WorkerFailed(CellwatchError):
    """A simulation worker process raised; the message carries its traceback."""

    code = "simulate_worker"


class BenchError(CellwatchError):
    """A benchmark step failed."""

    code = "bench"


__all__ = [
    "AccessDenied",
    "AuthenticationFailed",
    "BenchError",
    "CellwatchError",
    "Concealed",
    "ConfigError",
    "Conflict",
    "Denied",
    "ForgedCheckpoint",
    "IllegalTransition",
    "IngestError",
    "InvalidChecksum",
    "InvalidData",
    "InvalidFormat",
    "InvalidIdentifier",
    "InvalidLength",
    "LakeError",
    "MalformedFile",
    "NotFound",
    "ReasonRequired",
    "SignInRequired",
    "StoreError",
    "TooManyAttempts",
    "UnknownComponent",
    "UnknownKind",
    "UploadTooLarge",
    "WorkerFailed",
]
