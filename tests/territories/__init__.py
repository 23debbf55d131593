"""Tests of the territories feature."""
