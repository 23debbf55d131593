"""Feature-agnostic services: errors, time, money, audit log, outbox, security."""
