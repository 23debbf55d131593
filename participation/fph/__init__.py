"""Fonds de participation des habitants (FPH)."""
