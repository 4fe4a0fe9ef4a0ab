"""Receiving a multipart upload into a temporary file, refusing it once it grows too large.

FastAPI's ``UploadFile`` parameters read the whole body before the endpoint runs; here
the body is read as it arrives, counted, and the request is refused (413) the moment it
passes ``settings.max_upload_bytes`` (at once, when ``Content-Length`` already says so).
Starlette's own multipart parser does the parsing, fed through the counting stream.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from cellwatch.errors import InvalidData
from cellwatch.ingest.service.uploads import safe_file_name, too_large

FIELD = "file"

# The OpenAPI description of the body this endpoint reads by hand.
MULTIPART_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "multipart/form-data": {"schema": {
        "type": "object", "required": [FIELD],
        "properties": {FIELD: {"type": "string", "format": "binary",
                               "description": "The file (CSV or JSON Lines)"}}}}}}}


async def _limited(request: Request, limit: int) -> AsyncGenerator[bytes, None]:
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            raise too_large(limit)
        yield chunk


async def receive_upload(request: Request, limit: int, folder: Path) -> Path:
    """Save the ``file`` part of a multipart request into ``folder``; return its path.

    Raises :class:`UploadTooLarge` past ``limit`` bytes of body, :class:`InvalidData` when
    the body is not multipart or has no file part.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        raise InvalidData("send the file as multipart/form-data",
                          {FIELD: ["a multipart/form-data body is required"]})
    parser = MultiPartParser(request.headers, _limited(request, limit), max_files=1,
                             max_fields=10)
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise InvalidData("the multipart body is not valid", {FIELD: [exc.message]}) from exc
    try:
        upload = form.get(FIELD)
        if not isinstance(upload, UploadFile):
            raise InvalidData("no file in the upload", {FIELD: ["a file part is required"]})
        target = folder / safe_file_name(upload.filename)
        with target.open("wb") as out:
            # The parser spooled the part to its own temporary file; copy it under its name
            # (the extension helps the framework tell CSV from JSON Lines).
            shutil.copyfileobj(upload.file, out)
        return target
    finally:
        await form.close()
