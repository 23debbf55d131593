def test_projects_are_created(db, projects, published):
    assert len(projects) == 3
    assert {p.idea_id for p in projects} == {i.id for i in published.winners}
