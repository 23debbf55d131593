"""Browser journeys (Playwright + axe-core) against a live server."""
