"""Participatory budget: rounds, envelopes, ideas, review."""
