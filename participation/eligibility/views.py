"""Pages of the eligibility feature."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("eligibility", __name__)
