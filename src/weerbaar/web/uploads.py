"""A file uploaded to the API or a page: refused beyond :data:`MAX_UPLOAD` bytes, before
its body is read where the request says how long it is, and named safely."""

from __future__ import annotations

from fastapi import Request, UploadFile
from starlette.datastructures import UploadFile as StarletteUpload

from weerbaar.errors import Issue, ValidationError, grouped, said

MAX_UPLOAD = 20 * 1024 * 1024  # bytes


def too_large(size: int) -> ValidationError:
    return ValidationError(
        [
            Issue(
                "file",
                "file",
                said(
                    "the file is %(size)s MB; at most %(most)s MB may be uploaded at once",
                    size=grouped(size / 1024 / 1024, 1),
                    most=MAX_UPLOAD // 1024 // 1024,
                ),
            )
        ],
        summary=said("file too large"),
    )


def refuse_large_request(request: Request) -> None:
    """Refuse what announces itself as too large before its body is read."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_UPLOAD + 64 * 1024:
        raise too_large(int(length))


async def upload_bytes(upload: UploadFile) -> bytes:
    """The uploaded file, refused beyond :data:`MAX_UPLOAD` bytes."""
    data = await upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise too_large(upload.size or len(data))
    return data


def upload_name(upload: StarletteUpload) -> str:
    name = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(c for c in name if c.isprintable())[:200] or "upload"
