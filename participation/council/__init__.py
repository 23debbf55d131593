"""Conseil citoyen: councils, members, draws by lot, meetings, votes and minutes."""
