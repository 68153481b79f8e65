"""Sales: interactions, tasks (follow-ups), deals and the pipeline, orders, feedback."""
