"""Eligibility grids, criteria and assessments; evaluate() is pure."""
