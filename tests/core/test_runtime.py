"""The serving runtime: the collector settled once the app is built."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from participation.core.runtime import YOUNG_THRESHOLD, settle_for_serving


class _Node:
    next: object = None


@pytest.fixture
def restored_collector() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


@pytest.mark.usefixtures("restored_collector")
def test_settling_freezes_the_built_objects_and_collects_the_young_less_often(
    app: object,
) -> None:
    gc.unfreeze()
    middle, old = gc.get_threshold()[1:]
    settle_for_serving()
    assert gc.get_freeze_count() > 10_000  # the app's mappers, templates, catalogues
    assert gc.get_threshold() == (YOUNG_THRESHOLD, middle, old)
    assert gc.isenabled()  # collections still run by themselves
    # Objects made afterwards are still collected: a cycle made now goes.
    cycle = _Node()
    cycle.next = cycle
    gone = weakref.ref(cycle)
    del cycle
    gc.collect()
    assert gone() is None


def test_the_wsgi_entry_builds_the_configured_app(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object, restored_collector: None
) -> None:
    import importlib
    import sys

    monkeypatch.setenv("PARTICIPATION_SECRET_KEY", "test-wsgi-entry")
    monkeypatch.setenv("PARTICIPATION_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv(
        "PARTICIPATION_SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path}/wsgi.sqlite"
    )
    sys.modules.pop("participation.wsgi", None)
    module = importlib.import_module("participation.wsgi")
    try:
        assert module.app.config["SECRET_KEY"] == "test-wsgi-entry"
        assert gc.get_threshold()[0] == YOUNG_THRESHOLD
    finally:
        sys.modules.pop("participation.wsgi", None)
        from participation.extensions import db

        with module.app.app_context():
            db.engine.dispose()
