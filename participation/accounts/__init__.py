"""People, roles, resident verification, sign-in and managed accounts."""
