"""Pages of the budget feature."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("budget", __name__)
