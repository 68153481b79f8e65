"""Reminders: the messages the scheduler sends and their Done / Snooze / Log buttons."""
