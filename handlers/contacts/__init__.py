"""Contacts: /add (form, one line, shared contact), /find, /contact and its card, /edit."""
