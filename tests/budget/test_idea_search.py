"""The public idea list: words to find, order, photos, costs and status badges."""

from __future__ import annotations

import re
from decimal import Decimal

from participation.core.cache import bump_data_version


def _titles(html: str) -> list[str]:
    return re.findall(r'class="idea-title"[^>]*><a [^>]*>([^<]+)</a>', html)


def test_words_find_ideas_by_title_or_description(client, make_round, make_idea):
    round_ = make_round("vote")
    make_idea(round_, title="Jardin partagé", description="Des bacs.")
    make_idea(round_, title="Bancs", description="Près du jardin d'enfants.")
    make_idea(round_, title="Fresque", description="Un mur peint.")

    found = _titles(client.get("/ideas?q=JARDIN").get_data(as_text=True))
    assert sorted(found) == ["Bancs", "Jardin partagé"]
    both = _titles(client.get("/ideas?q=jardin+bacs").get_data(as_text=True))
    assert both == ["Jardin partagé"]
    # LIKE wildcards are words like others, not patterns.
    assert _titles(client.get("/ideas?q=%25").get_data(as_text=True)) == []


def test_ideas_sort_by_date_or_cost(client, make_round, make_idea):
    round_ = make_round("vote")
    make_idea(round_, title="Cher", estimated_cost=Decimal("9000"))
    make_idea(round_, title="Bon marché", estimated_cost=Decimal("800"))
    make_idea(round_, title="Moyen", estimated_cost=Decimal("4000"))

    by_cost = _titles(client.get("/ideas?sort=cost").get_data(as_text=True))
    assert by_cost == ["Bon marché", "Moyen", "Cher"]
    newest = _titles(client.get("/ideas").get_data(as_text=True))
    oldest = _titles(client.get("/ideas?sort=oldest").get_data(as_text=True))
    assert oldest == list(reversed(newest))
    # An unknown order is the default one, not an error.
    assert client.get("/ideas?sort=drop").status_code == 200


def test_cards_show_the_cost_and_a_coloured_status(client, make_round, make_idea):
    round_ = make_round("vote")
    make_idea(round_, title="Jardin", estimated_cost=Decimal("5800"))
    html = client.get("/ideas").get_data(as_text=True)
    assert "5,800.00" in html  # through Babel (the tests' pages are in English)
    assert 'class="badge state-submitted"' in html


def test_ideas_sort_by_support_in_the_published_votes(
    app, client, make_round, make_idea
):
    from participation.budget.queries import register_published_support

    round_ = make_round("results")
    low = make_idea(round_, title="Peu soutenu")
    high = make_idea(round_, title="Très soutenu")
    make_idea(round_, title="Pas au vote")
    register_published_support(app, lambda: {low.id: 12, high.id: 40})

    by_support = _titles(client.get("/ideas?sort=support").get_data(as_text=True))
    assert by_support == ["Très soutenu", "Peu soutenu", "Pas au vote"]
    # Without any published vote the order is the newest first.
    register_published_support(app, dict)
    bump_data_version()  # registered at start-up in the app; here, mid-test
    assert _titles(client.get("/ideas?sort=support").get_data(as_text=True)) == (
        _titles(client.get("/ideas").get_data(as_text=True))
    )


def test_lists_of_one_shape_run_with_their_own_values(
    client, make_round, make_idea, make_territory, make_theme
):
    # The statements of a list are built once per set of filters (which filters,
    # not their values, queries._ListShape): each request runs with its own values.
    first, second = make_territory(), make_territory()
    green, sport = make_theme(), make_theme()
    round_a = make_round("vote", territories=[first, second], themes=[green, sport])
    round_b = make_round("vote")
    make_idea(round_a, title="Jardin A", territory=first, themes=[green])
    make_idea(round_a, title="Stade A", territory=second, themes=[sport])
    make_idea(round_b, title="Jardin B")

    def titles(query: str) -> list[str]:
        return sorted(_titles(client.get(f"/ideas?{query}").get_data(as_text=True)))

    assert titles(f"round={round_a.id}") == ["Jardin A", "Stade A"]
    assert titles(f"round={round_b.id}") == ["Jardin B"]
    assert titles(f"round={round_a.id}&qpv={first.id}") == ["Jardin A"]
    assert titles(f"round={round_a.id}&qpv={second.id}") == ["Stade A"]
    assert titles(f"theme={green.id}") == ["Jardin A"]
    assert titles(f"theme={sport.id}") == ["Stade A"]
    assert titles("q=jardin") == ["Jardin A", "Jardin B"]
    assert titles("q=stade") == ["Stade A"]
    assert titles(f"round={round_b.id}&q=jardin") == ["Jardin B"]
