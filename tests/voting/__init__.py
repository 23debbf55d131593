"""Tests of the voting feature."""
