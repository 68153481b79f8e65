"""Tasks (follow-ups): /followup, /today, /tasks, /done and their buttons."""
