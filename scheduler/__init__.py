"""Reminders: APScheduler runs producers (write outbox rows) and the dispatcher (send them).

Imports crm_store only — never handlers/ or bot/; bot/ supplies the Notifier and Clock.
"""
