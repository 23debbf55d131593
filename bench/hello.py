"""The bare Flask endpoint every page is compared with (same gunicorn settings)."""

from flask import Flask

from participation.core.runtime import settle_for_serving

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"


# The same runtime as the app's WSGI entry (participation/wsgi.py).
settle_for_serving()
