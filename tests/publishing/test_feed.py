"""The Atom feed of published results and project news parses and links back."""

from __future__ import annotations

from participation.core.actors import SYSTEM
from participation.followup import services


def test_the_feed_lists_results_and_news_and_parses(db, client, projects, published):
    import feedparser

    services.publish_update(
        projects[0],
        services.UpdateData(title="Les <bancs> arrivent & tout va bien", body="Texte."),
        SYSTEM,
    )
    db.session.commit()

    response = client.get("/opendata/feed.atom")

    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    titles = [e.title for e in feed.entries]
    assert titles[0] == f"{projects[0].title} — Les <bancs> arrivent & tout va bien"
    assert sum("Results of" in t for t in titles) == 2
    links = [e.link for e in feed.entries]
    assert any(f"/projects/{projects[0].id}#update-" in link for link in links)
    assert any("/results/" in link for link in links)


def test_an_empty_feed_still_parses(db, client):
    import feedparser

    response = client.get("/opendata/feed.atom")

    feed = feedparser.parse(response.data)
    assert not feed.bozo
    assert feed.entries == []
