"""Pages of the accounts feature: registration, sign-in, profile, people admin.

One blueprint; its pages live in the modules below, by who uses them.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("accounts", __name__)

# Each module adds its pages and hooks to ``bp`` when imported (after bp exists).
from . import (  # noqa: E402, F401
    admin,
    hooks,
    people,
    privacy,
    profile,
    registration,
    security,
    sheets,
    signin,
)
