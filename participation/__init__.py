"""Participation: budget participatif, FPH and conseil citoyen for the QPV."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"


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

    init_app(app)
    _register_features(app)
    return app


def _register_features(app: Flask) -> None:
    """Each feature's models (for the metadata), blueprint and commands, in order."""
    from . import cli
    from .accounts import models as _accounts_models  # noqa: F401
    from .accounts import views as accounts
    from .budget import coauthors as _budget_coauthors  # noqa: F401
    from .budget import models as _budget_models  # noqa: F401
    from .budget import views as budget
    from .core import cli as core_cli
    from .core import models as _core_models  # noqa: F401
    from .core import views as core
    from .council import cli as council_cli
    from .council import models as _council_models  # noqa: F401
    from .council import publishing as council_publishing
    from .council import views as council
    from .eligibility import models as _eligibility_models  # noqa: F401
    from .eligibility import views as eligibility
    from .followup import cli as followup_cli
    from .followup import models as _followup_models  # noqa: F401
    from .followup import views as followup
    from .fph import committee as fph_committee
    from .fph import fph2_views
    from .fph import models as _fph_models  # noqa: F401
    from .fph import publishing as fph_publishing
    from .fph import views as fph
    from .publishing import views as publishing
    from .review import models as _review_models  # noqa: F401
    from .review import views as review
    from .territories import cli as territories_cli
    from .territories import models as _territories_models  # noqa: F401
    from .territories import views as territories
    from .voting import cli as voting_cli
    from .voting import models as _voting_models  # noqa: F401
    from .voting import views as voting
    from .voting.desks import models as _desks_models  # noqa: F401
    from .voting.desks import views as desks

    for feature in (core, accounts, territories, eligibility, budget, review, voting):
        app.register_blueprint(feature.bp)
    app.register_blueprint(desks.bp)
    app.register_blueprint(council.bp)
    for feature in (followup, fph, publishing):
        app.register_blueprint(feature.bp)
    council_publishing.register()
    fph_publishing.register()
    fph_committee.register()
    app.register_blueprint(fph2_views.bp)
    app.cli.add_command(cli.seed_demo)
    for commands in (
        core_cli.COMMANDS,
        territories_cli.COMMANDS,
        voting_cli.COMMANDS,
        council_cli.COMMANDS,
        followup_cli.COMMANDS,
    ):
        for command in commands:
            app.cli.add_command(command)
    _register_personal_data(app)
    _register_published_support(app)


def _register_published_support(app: Flask) -> None:
    """The idea list orders by support in the published votes (voting knows it)."""
    from .budget.queries import register_published_support
    from .voting.queries import published_support

    register_published_support(app, published_support)


def _register_personal_data(app: Flask) -> None:
    """What each feature keeps about a person, and its retention rules."""
    from .budget import privacy as budget_privacy
    from .core.privacy import register_personal_data, register_retention_rule
    from .council import privacy as council_privacy
    from .voting import privacy as voting_privacy

    register_personal_data(app, budget_privacy.IDEAS)
    register_personal_data(app, voting_privacy.SIGN_INS)
    register_retention_rule(app, voting_privacy.SIGN_IN_LISTS)
    register_retention_rule(app, council_privacy.DRAW_POOLS)
