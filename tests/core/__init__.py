"""Tests of the core feature."""
