"""Activity: /log, the quick log from free text, visit check-in from a shared location."""
