"""Technical review (instruction) of ideas: assignments, grid assessments, decisions."""
