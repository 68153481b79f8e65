"""Messaging: the inbox (updates in), the outbox (reminders out), dialogs, reminders."""
