"""The staff dashboard: charts as SVG with their tables, small counts suppressed."""

from __future__ import annotations

import re

import pytest

from participation.publishing import stats


def test_residents_get_a_403_and_visitors_sign_in(db, client, login_as, resident):
    assert "/signin" in client.get("/dashboard").headers["Location"]

    login_as(resident)

    assert client.get("/dashboard").status_code == 403


def test_staff_see_every_chart_with_its_table(db, client, login_as, staff, projects):
    login_as(staff)

    page = client.get("/dashboard")

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for chart_id in (
        "ideas-qpv",
        "ideas-theme",
        "participation-qpv",
        "participation-channel",
        "participation-age",
        "participation-sex",
        "money-qpv",
        "money-theme",
        "delivery",
    ):
        assert f'id="{chart_id}"' in text, chart_id
        assert f'id="{chart_id}-table"' in text or f'id="{chart_id}-empty"' in text
    assert text.count('role="img"') >= 6
    assert 'id="ideas-qpv-theme-table"' in text
    # The FPH registers its own section: the placeholder is gone.
    assert 'id="section-fph"' in text
    assert 'id="fph-placeholder"' not in text
    assert "style=" not in re.sub(r"<script.*?</script>", "", text)


def test_participation_counts_under_ten_are_suppressed(db, app, published):
    with app.test_request_context():
        sexes = stats.participation_per_sex()
        ages = stats.participation_per_age()

    # Six voters in all: every group is under ten (none said "other": 0 is shown).
    assert [row.values for row in sexes.rows] == [(None,), (None,), (0,)]
    assert all(row.values[0] in (None, 0) for row in ages.rows)
    assert "1 to 9" in sexes.note
    assert "Fewer than 10 voters did not answer." in sexes.note


def test_groups_of_ten_and_more_are_shown(db, app, make_published):
    make_published(voters=20)  # 10 women and 10 men in one QPV

    with app.test_request_context():
        sexes = stats.participation_per_sex()

    assert [row.values for row in sexes.rows] == [(10,), (10,), (0,)]


def test_participation_per_qpv_reads_the_published_results(db, app, published):
    with app.test_request_context():
        chart = stats.participation_per_qpv()
        channels = stats.participation_per_channel()

    here = next(r for r in chart.rows if r.label == published.here.name)
    assert here.values[:2] == (1, 4)
    assert str(here.values[2]) == "0.2"  # 4 voters for 2,000 residents
    assert next(r for r in channels.rows if r.label == published.here.name).values == (
        4,
        0,
    )


def test_an_unpublished_vote_does_not_count(db, app, make_published):
    make_published(publish=False)

    with app.test_request_context():
        chart = stats.participation_per_qpv()

    assert all(row.values[1] == 0 for row in chart.rows)


def test_money_per_qpv_adds_up_the_projects(db, app, projects, published):
    with app.test_request_context():
        chart = stats.money_per_qpv()

    here = next(r for r in chart.rows if r.label == published.here.name)
    assert str(here.values[0]) == "7000.00"


def test_a_section_can_be_registered_by_another_feature(db, client, login_as, staff):
    from participation.publishing.charts import Chart, Row, Series

    def extra() -> stats.DashboardSection:
        chart = Chart(
            "extra-use",
            "Extra",
            "Use",
            "Fund",
            (Series("used", "Used"),),
            (Row("F", (3,)),),
        )
        return stats.DashboardSection("extra", "Another feature", [chart])

    stats.register_dashboard_section(extra)
    try:
        login_as(staff)
        text = client.get("/dashboard").get_data(as_text=True)
    finally:
        stats._SECTIONS.remove(extra)

    assert 'id="section-extra"' in text
    assert 'id="extra-use"' in text


@pytest.mark.parametrize("path", ["/dashboard"])
def test_the_dashboard_works_on_an_empty_database(db, client, login_as, staff, path):
    login_as(staff)

    assert client.get(path).status_code == 200
