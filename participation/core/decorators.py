"""View decorators that apply the permission predicates (sign in first, then 403)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from flask import abort
from flask_login import current_user

from ..extensions import login_manager

P = ParamSpec("P")
R = TypeVar("R")


def require(
    predicate: Callable[[Any], bool],
) -> Callable[[Callable[P, R]], Callable[P, Any]]:
    """Refuse the view unless ``predicate(current_user)`` holds.

    Anonymous visitors are sent to the sign-in page (their session may simply have
    expired); signed-in people without the right get the friendly 403 page.
    """

    def decorator(view: Callable[P, R]) -> Callable[P, Any]:
        @wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not predicate(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator
