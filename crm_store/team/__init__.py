"""Team: teams, members, invites, who sees whose records, hand-over, working hours."""
