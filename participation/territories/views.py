"""Pages of the territories feature."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("territories", __name__)
