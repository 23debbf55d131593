"""Uploaded images: checked by content, size-capped, re-encoded without metadata.

Files live under ``instance/uploads/<folder>/`` with random names, outside the web
root; a feature's view serves them after its own access check (``send_upload``).
Re-encoding with Pillow drops EXIF (GPS position, camera, author) and anything
hidden after the image data; the image is turned upright first, then shrunk.
"""

from __future__ import annotations

import io
import re
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from flask import Response, current_app, send_file
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import DomainError, NotFound
from .i18n import lazy_gettext as _l

#: Formats accepted, as Pillow names them after reading the content.
IMAGE_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
#: Default size cap of one image (the request limit for upload forms is higher,
#: so the view sees the file and can answer next to the field).
MAX_IMAGE_BYTES = 8 * 1024 * 1024
#: Largest side kept, in pixels.
MAX_IMAGE_SIDE = 1600
#: Refuse images with more pixels than this before decoding them (decompression bombs).
MAX_IMAGE_PIXELS = 40_000_000
#: Request body limit to set on views that take an upload: above the file cap,
#: so an oversized photo gets a message by its field rather than a bare 413 page.
UPLOAD_REQUEST_LIMIT = 10 * 1024 * 1024

_NAME = re.compile(r"^[A-Za-z0-9_-]{20,64}\.jpg$")
_FOLDER = re.compile(r"^[a-z][a-z0-9_]{0,30}$")


class UploadError(DomainError):
    """The file is not an acceptable image; the message is meant for the form field."""


@dataclass(frozen=True)
class StoredImage:
    """What was written: the random name to keep, and the final size."""

    name: str
    width: int
    height: int
    size: int


def uploads_root() -> Path:
    """Root folder of every upload (``instance/uploads``)."""
    return Path(current_app.instance_path) / "uploads"


def _read_capped(source: IO[bytes] | bytes, max_bytes: int) -> bytes:
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
    else:
        data = source.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UploadError(
            _l(
                "The photo is too large: %(max)d MB at most.",
                max=max_bytes // (1024 * 1024),
            )
        )
    if not data:
        raise UploadError(_l("The file is empty."))
    return data


def process_image(
    source: IO[bytes] | bytes,
    *,
    max_bytes: int = MAX_IMAGE_BYTES,
    max_side: int = MAX_IMAGE_SIDE,
) -> tuple[bytes, int, int]:
    """Check *source* is a JPEG, PNG or WebP image and return it re-encoded as JPEG.

    :returns: ``(jpeg bytes, width, height)`` without any metadata.
    :raises UploadError: too large, empty, not an image, or an unaccepted format.
    """
    data = _read_capped(source, max_bytes)
    not_image = UploadError(_l("This file is not a photo in JPEG, PNG or WebP format."))
    try:
        with warnings.catch_warnings():
            # Pillow warns, then fails, on huge pixel counts; both mean "refuse".
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in IMAGE_FORMATS:
                    raise not_image
                if image.width * image.height > MAX_IMAGE_PIXELS:
                    raise UploadError(_l("The photo has too many pixels."))
                image.load()
                upright = ImageOps.exif_transpose(image) or image
                if upright.mode in ("RGBA", "LA", "P", "PA"):
                    rgba = upright.convert("RGBA")
                    flat = Image.new("RGB", rgba.size, (255, 255, 255))
                    flat.paste(rgba, mask=rgba.getchannel("A"))
                    upright = flat
                elif upright.mode != "RGB":
                    upright = upright.convert("RGB")
                upright.thumbnail((max_side, max_side))
                out = io.BytesIO()
                # No exif=, no icc_profile=: nothing but the pixels is written.
                upright.save(out, format="JPEG", quality=85, optimize=True)
                return out.getvalue(), upright.width, upright.height
    except UploadError:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise not_image from None
    except (OSError, ValueError, SyntaxError):  # truncated or corrupt image data
        raise not_image from None


def store_image(
    source: IO[bytes] | bytes,
    folder: str,
    *,
    max_bytes: int = MAX_IMAGE_BYTES,
    max_side: int = MAX_IMAGE_SIDE,
) -> StoredImage:
    """Check, clean and write an image under ``uploads/<folder>/``, randomly named."""
    if not _FOLDER.match(folder):
        raise ValueError(f"bad upload folder {folder!r}")
    content, width, height = process_image(
        source, max_bytes=max_bytes, max_side=max_side
    )
    name = secrets.token_urlsafe(24) + ".jpg"
    target = uploads_root() / folder
    target.mkdir(parents=True, exist_ok=True)
    (target / name).write_bytes(content)
    return StoredImage(name=name, width=width, height=height, size=len(content))


def upload_path(folder: str, name: str) -> Path:
    """Path of a stored upload; refuses anything that is not one of our names."""
    if not _FOLDER.match(folder) or not _NAME.match(name):
        raise ValueError("not an upload name")
    return uploads_root() / folder / name


def delete_upload(folder: str, name: str | None) -> None:
    """Remove a stored upload if it exists (used when replacing or rolling back)."""
    if not name:
        return
    try:
        upload_path(folder, name).unlink(missing_ok=True)
    except ValueError:
        return


def send_upload(folder: str, name: str, *, public: bool) -> Response:
    """Serve a stored image; private ones are never cached by shared caches.

    The caller has already checked the person may see it.
    """
    path = upload_path(folder, name)
    if not path.is_file():
        raise NotFound(_l("This file does not exist any more."))
    response = send_file(path, mimetype="image/jpeg", max_age=3600 if public else 0)
    response.headers["Cache-Control"] = (
        "public, max-age=3600" if public else "private, no-store"
    )
    response.headers["Content-Disposition"] = "inline"
    return response
