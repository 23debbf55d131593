"""Follow-up of projects after the vote (and later after an FPH grant)."""
