"""Participation: budget participatif, FPH and conseil citoyen for the QPV."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"

#: Feature packages whose ``views.bp`` blueprint is registered, in this order.
FEATURES = (
    "core",
    "accounts",
    "territories",
    "eligibility",
    "budget",
    "review",
    "voting",
    "voting.desks",
)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create and configure an instance of the application.

    Configuration comes in layers: committed defaults, then ``instance/config.py``,
    then ``PARTICIPATION_*`` environment variables. A test mapping replaces the last
    two layers.
    """
    app = Flask(
        __name__,
        instance_path=os.environ.get("PARTICIPATION_INSTANCE_PATH", str(INSTANCE_DIR)),
        instance_relative_config=True,
    )
    app.config.from_object("participation.config.DefaultConfig")
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("PARTICIPATION")
    else:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError(
            "No SECRET_KEY: run `make run` (it writes instance/config.py) "
            "or set PARTICIPATION_SECRET_KEY"
        )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from .core.setup import init_app

    init_app(app, FEATURES)
    return app
