"""Pages of the accounts feature: registration, sign-in, profile, people admin."""

from __future__ import annotations

from flask import Blueprint

from ..extensions import db, login_manager
from .models import User

bp = Blueprint("accounts", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load the signed-in person; a changed security stamp ends old sessions."""
    ident, _, stamp = user_id.partition(":")
    if not ident.isdigit():
        return None
    user = db.session.get(User, int(ident))
    if user is None or not user.is_active or str(user.security_stamp) != stamp:
        return None
    return user


# Placeholders replaced by the accounts work (registration, sign-in, profile).
@bp.route("/signin", methods=["GET", "POST"])
def signin() -> str:
    return ""


@bp.post("/signout")
def signout() -> str:
    return ""


@bp.route("/register", methods=["GET", "POST"])
def register() -> str:
    return ""


@bp.get("/account")
def profile() -> str:
    return ""
