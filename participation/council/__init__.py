"""Conseil citoyen: councils, members, draws by lot, meetings, deliberations, minutes."""
