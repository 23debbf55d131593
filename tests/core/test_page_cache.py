"""The cache of public pages (issue 14): never stale after a write, never shared.

No test here measures a time: they check which answer comes from the cache and that
it changes right after the write that should change it, also when the write goes
through another app instance (another server) on the same database.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from participation.budget.models import Idea
from participation.core import cache as page_cache
from participation.extensions import db as _db


def _get(client: Any, url: str, **kwargs: Any) -> Any:
    response = client.get(url, **kwargs)
    assert response.status_code in (200, 304), (url, response.status_code)
    return response


def test_a_visitor_page_is_served_from_the_cache_the_second_time(
    client, make_round, make_idea
):
    round_ = make_round("submission")
    make_idea(round_, title="Un banc sous le platane")
    first = _get(client, "/ideas")
    second = _get(client, "/ideas")
    assert first.headers["X-Page-Cache"] == "miss"
    assert second.headers["X-Page-Cache"] == "hit"
    assert second.data == first.data
    assert second.headers["Cache-Control"] == "public, no-cache"
    assert "Cookie" in second.headers["Vary"]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/ideas",
        "/ideas?state=submitted",
        "/ideas/{idea}",
        "/rounds",
        "/rounds/{round}",
        "/territories",
        "/votes",
        "/rounds/{round}/results",
        "/projects",
        "/councils/",
    ],
)
def test_visitor_pages_set_no_cookie_and_are_stored(
    client, make_round, make_idea, path
):
    """No per-session CSRF token, no language cookie: the page is the same for all."""
    round_ = make_round("submission")
    idea = make_idea(round_)
    url = path.format(idea=idea.id, round=round_.id)
    response = _get(client, url)
    assert "Set-Cookie" not in response.headers, url
    assert response.headers["X-Page-Cache"] == "miss", url
    assert _get(client, url).headers["X-Page-Cache"] == "hit", url


def test_a_write_changes_the_cached_page_at_once(client, db, make_round, make_idea):
    round_ = make_round("submission")
    idea = make_idea(round_, title="Un banc sous le platane")
    assert b"Un banc sous le platane" in _get(client, f"/ideas/{idea.id}").data
    assert _get(client, f"/ideas/{idea.id}").headers["X-Page-Cache"] == "hit"

    idea.title = "Deux bancs sous le platane"
    db.session.commit()

    after = _get(client, f"/ideas/{idea.id}")
    assert after.headers["X-Page-Cache"] == "miss"
    assert b"Deux bancs sous le platane" in after.data
    assert b"Un banc sous le platane" not in after.data


def test_a_core_statement_through_the_session_bumps_the_version(
    client, db, make_round, make_idea
):
    """Bulk statements (no ORM flush) count as writes too."""
    round_ = make_round("submission")
    idea = make_idea(round_, title="Fresque du préau")
    _get(client, "/ideas")
    db.session.execute(
        sa.update(Idea).where(Idea.id == idea.id).values(title="Fresque du gymnase")
    )
    db.session.commit()
    assert b"Fresque du gymnase" in _get(client, "/ideas").data


def test_reading_does_not_bump_the_version(app, client, make_round, make_idea):
    round_ = make_round("submission")
    make_idea(round_)
    version = page_cache.data_version().get()
    for url in ("/", "/ideas", f"/rounds/{round_.id}"):
        _get(client, url)
        _get(client, url)
    assert page_cache.data_version().get() == version


def test_a_rolled_back_write_does_not_bump_the_version(app, db, make_round):
    round_ = make_round("submission")
    version = page_cache.data_version().get()
    round_.title = "Jamais enregistré"
    db.session.flush()
    db.session.rollback()
    assert page_cache.data_version().get() == version


def test_etag_gives_304_while_nothing_changed(client, db, make_round, make_idea):
    round_ = make_round("submission")
    idea = make_idea(round_)
    first = _get(client, "/ideas")
    etag = first.headers["ETag"]
    again = client.get("/ideas", headers={"If-None-Match": etag})
    assert again.status_code == 304
    idea.title = "Nouveau titre"
    db.session.commit()
    changed = client.get("/ideas", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag


def test_signed_in_pages_are_never_stored_nor_shared(
    client, login_as, make_user, make_round, make_idea
):
    round_ = make_round("submission")
    make_idea(round_)
    _get(client, "/ideas")  # a visitor's page is in the cache now
    login_as(make_user(pseudonym="camille"))
    for _ in range(2):
        response = _get(client, "/ideas")
        assert "X-Page-Cache" not in response.headers
        assert response.headers["Cache-Control"] == "private, no-store"
        assert b"camille" in response.data


def test_the_language_is_in_the_address_and_in_the_key(client, make_round):
    make_round("submission")
    french = _get(client, "/ideas?lang=fr")
    arabic = _get(client, "/ideas?lang=ar")
    assert b'lang="fr"' in french.data[:200]
    assert b'lang="ar" dir="rtl"' in arabic.data[:200]
    assert "Set-Cookie" not in arabic.headers
    # Links keep the language; the switch is links, not a form with a token.
    assert b'href="/rounds?lang=ar"' in arabic.data
    assert b'href="/ideas?lang=en"' in arabic.data
    assert b"csrf_token" not in arabic.data


def test_following_a_language_link_signed_in_keeps_it(
    client, login_as, make_user, make_round
):
    make_round("submission")
    login_as(make_user())
    _get(client, "/?lang=ar")
    assert b'dir="rtl"' in _get(client, "/rounds").data


# ----------------------------------------------------- two servers, one database


@pytest.fixture
def second_app(app: Flask, app_config: dict[str, Any], another_app) -> Flask:
    """Another app instance on the same database and the same version store, as a
    second gunicorn server (its own in-process page cache)."""
    return another_app(
        {
            **app_config,
            "DATA_VERSION_FILE": str(Path(app.instance_path) / "data-version"),
        }
    )


def test_a_write_on_one_server_is_never_served_stale_by_the_other(
    app, second_app, client, make_round, make_idea
):
    round_ = make_round("submission")
    idea = make_idea(round_, title="Jardin partagé")
    other = second_app.test_client()
    url = f"/ideas/{idea.id}"
    with second_app.app_context():
        assert b"Jardin partag" in _get(other, url).data
        assert _get(other, url).headers["X-Page-Cache"] == "hit"
    assert _get(client, url).headers["X-Page-Cache"] == "miss"

    # The write goes through the first server...
    with app.app_context():
        stored = _db.session.get(Idea, idea.id)
        assert stored is not None
        stored.title = "Verger partagé"
        _db.session.commit()

    # ...and the second one renders again at once.
    with second_app.app_context():
        fresh = _get(other, url)
        assert fresh.headers["X-Page-Cache"] == "miss"
        assert b"Verger partag" in fresh.data
        _db.session.remove()


def test_the_redis_store_is_used_when_configured(app_config, another_app):
    """With CACHE_REDIS_URL, pages and the version live in Redis (not reached here:
    the app starts without connecting)."""
    other = another_app({**app_config, "CACHE_REDIS_URL": "redis://127.0.0.1:1/0"})
    store = other.extensions["participation_data_version"]
    assert isinstance(store, page_cache.RedisVersion)
    backend = other.extensions["cache"][page_cache.cache]
    assert type(backend).__name__ == "RedisCache"
