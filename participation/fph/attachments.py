"""Files of a bilan: receipts (private; PDF or image) and photos (public with consent).

A receipt is checked by its content, never by its name: a PDF starts with
``%PDF-`` and ends with ``%%EOF``; anything else must be an image that
``core.uploads`` accepts (it is then re-encoded as JPEG, without metadata). Files
are stored under ``instance/uploads/fph_receipts`` and ``fph_photos`` with random
names and served only by the FPH views after their access check.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from flask import Response, send_file

from ..core.errors import NotFound
from ..core.i18n import lazy_gettext as _l
from ..core.uploads import (
    MAX_IMAGE_BYTES,
    UploadError,
    process_image,
    store_image,
    uploads_root,
)

RECEIPTS = "fph_receipts"
PHOTOS = "fph_photos"
MAX_RECEIPT_BYTES = MAX_IMAGE_BYTES
_NAME = re.compile(r"^[A-Za-z0-9_-]{20,64}\.(pdf|jpg)$")


@dataclass(frozen=True)
class StoredFile:
    name: str
    content_type: str
    size: int


def _read(source: IO[bytes] | bytes) -> bytes:
    data = (
        bytes(source)
        if isinstance(source, bytes | bytearray)
        else source.read(MAX_RECEIPT_BYTES + 1)
    )
    if not data:
        raise UploadError(_l("The file is empty."), field="file")
    if len(data) > MAX_RECEIPT_BYTES:
        raise UploadError(
            _l(
                "The file is too large: %(max)d MB at most.",
                max=MAX_RECEIPT_BYTES // (1024 * 1024),
            ),
            field="file",
        )
    return data


def is_pdf(data: bytes) -> bool:
    """A PDF by its content: the header at the start, the end marker at the end."""
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-2048:]


def receipt_content(source: IO[bytes] | bytes) -> tuple[bytes, str]:
    """``(content, mime type)`` of a receipt; :class:`UploadError` if refused."""
    data = _read(source)
    if is_pdf(data):
        return data, "application/pdf"
    try:
        jpeg, _width, _height = process_image(data)
    except UploadError:
        raise UploadError(
            _l("A receipt must be a PDF file or a photo (JPEG, PNG or WebP)."),
            field="file",
        ) from None
    return jpeg, "image/jpeg"


def store_receipt(source: IO[bytes] | bytes) -> StoredFile:
    content, mime = receipt_content(source)
    name = secrets.token_urlsafe(24) + (".pdf" if mime == "application/pdf" else ".jpg")
    folder = uploads_root() / RECEIPTS
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(content)
    return StoredFile(name=name, content_type=mime, size=len(content))


def store_photo(source: IO[bytes] | bytes) -> StoredFile:
    try:
        stored = store_image(source, PHOTOS)
    except UploadError as error:
        raise UploadError(error.message, field="file") from None
    return StoredFile(name=stored.name, content_type="image/jpeg", size=stored.size)


def path_of(folder: str, name: str) -> Path:
    if folder not in (RECEIPTS, PHOTOS) or not _NAME.match(name):
        raise NotFound(_l("This file does not exist any more."))
    return uploads_root() / folder / name


def remove(folder: str, name: str) -> None:
    try:
        path_of(folder, name).unlink(missing_ok=True)
    except NotFound:
        return


def send(folder: str, name: str, content_type: str, *, public: bool) -> Response:
    """Serve a stored file (the caller has checked who may see it)."""
    path = path_of(folder, name)
    if not path.is_file():
        raise NotFound(_l("This file does not exist any more."))
    response = send_file(path, mimetype=content_type, max_age=3600 if public else 0)
    response.headers["Cache-Control"] = (
        "public, max-age=3600" if public else "private, no-store"
    )
    response.headers["Content-Disposition"] = "inline"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
