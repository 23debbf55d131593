"""Polling desks: walk-in sign-in, paper ballots keyed twice, reconciliation."""
