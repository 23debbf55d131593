"""Helpers of the budget tests (the round and idea factories: tests/conftest.py)."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from PIL import Image

from participation.budget.models import Idea, IdeaStateChange
from participation.budget.states import IdeaAction


@pytest.fixture
def resident(make_user):
    return make_user(pseudonym="amina", email="amina@example.test")


def jpeg_bytes(
    size: tuple[int, int] = (64, 48), *, exif_gps: bool = False, fmt: str = "JPEG"
) -> bytes:
    """A small real image, optionally with an EXIF GPS position."""
    image = Image.new("RGB", size, (30, 120, 60))
    out = io.BytesIO()
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "TestCam"  # Make
        gps = exif.get_ifd(0x8825)
        gps[1] = "N"
        gps[2] = (43.0, 12.0, 30.0)
        gps[3] = "E"
        gps[4] = (2.0, 21.0, 10.0)
        image.save(out, format=fmt, exif=exif)
    else:
        image.save(out, format=fmt)
    return out.getvalue()


def history_actions(db, idea: Idea) -> list[IdeaAction]:
    """Actions recorded in an idea's public history, in order."""
    return list(
        db.session.scalars(
            sa.select(IdeaStateChange.action)
            .where(IdeaStateChange.idea_id == idea.id)
            .order_by(IdeaStateChange.id)
        )
    )
