"""Tests of the polling desks (paper ballots keyed twice)."""
