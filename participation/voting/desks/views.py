"""Pages of the polling desks (paper voting)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("desks", __name__)
