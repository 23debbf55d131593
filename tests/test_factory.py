"""The app factory: configuration layers and the refusal to start without a secret."""

import pytest

from participation import create_app


def test_factory_refuses_to_start_without_secret_key(tmp_path, monkeypatch):
    monkeypatch.setenv("PARTICIPATION_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SECRET_KEY": "", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_environment_overrides_instance_config(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text(
        "SECRET_KEY = 'from-file'\nSITE_NAME = 'File'\n"
    )
    monkeypatch.setenv("PARTICIPATION_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("PARTICIPATION_SITE_NAME", "Env")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-file"
    assert app.config["SITE_NAME"] == "Env"


@pytest.mark.french
def test_home_page_is_french_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b'lang="fr"' in response.data
    assert "Content-Security-Policy" in response.headers
