"""Uploaded images: content check, size cap, metadata stripped, random names."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from participation.core import uploads


def _image(fmt: str, size=(300, 200), mode="RGB", exif: bool = False) -> bytes:
    image = Image.new(
        mode, size, (200, 30, 30, 128) if mode == "RGBA" else (200, 30, 30)
    )
    out = io.BytesIO()
    kwargs = {}
    if exif:
        info = Image.Exif()
        info[0x010F] = "PhoneMaker"
        info.get_ifd(0x8825)[2] = (43.0, 12.0, 30.0)
        kwargs["exif"] = info
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_accepted_formats_come_out_as_clean_jpeg(fmt):
    content, width, height = uploads.process_image(_image(fmt, exif=fmt != "PNG"))

    with Image.open(io.BytesIO(content)) as image:
        assert image.format == "JPEG"
        assert (image.width, image.height) == (width, height) == (300, 200)
        assert not image.getexif()


def test_transparent_png_is_flattened_on_white():
    content, _, _ = uploads.process_image(_image("PNG", mode="RGBA"))

    with Image.open(io.BytesIO(content)) as image:
        assert image.mode == "RGB"


@pytest.mark.parametrize(
    "content",
    [
        b"just text renamed to .jpg",
        b"\xff\xd8\xff\xe0" + b"\0" * 100,  # a JPEG header and nothing else
        b"GIF89a" + b"\0" * 40,
        _image("GIF"),
        _image("BMP"),
    ],
    ids=["text", "truncated-jpeg", "fake-gif", "gif", "bmp"],
)
def test_anything_else_is_refused(content):
    with pytest.raises(uploads.UploadError):
        uploads.process_image(content)


def test_size_cap_and_empty_file():
    with pytest.raises(uploads.UploadError):
        uploads.process_image(io.BytesIO(b"\0" * 2048), max_bytes=1024)
    with pytest.raises(uploads.UploadError):
        uploads.process_image(b"")


def test_huge_pixel_counts_are_refused(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_IMAGE_PIXELS", 100)

    with pytest.raises(uploads.UploadError):
        uploads.process_image(_image("PNG", size=(20, 20)))


def test_large_images_are_shrunk():
    _, width, height = uploads.process_image(
        _image("PNG", size=(4000, 1000)), max_side=800
    )

    assert (width, height) == (800, 200)


def test_stored_under_random_names_and_paths_are_checked(app):
    first = uploads.store_image(_image("JPEG"), "ideas")
    second = uploads.store_image(_image("JPEG"), "ideas")

    assert first.name != second.name
    assert uploads.upload_path("ideas", first.name).is_file()
    for bad in ("../config.py", "x.jpg", "a" * 30 + ".png"):
        with pytest.raises(ValueError, match="not an upload name"):
            uploads.upload_path("ideas", bad)
    uploads.delete_upload("ideas", first.name)
    assert not uploads.upload_path("ideas", first.name).exists()
