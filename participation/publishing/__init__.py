"""Publishing: dashboards, charts, open-data exports, neighbourhood figures."""
