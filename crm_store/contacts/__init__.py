"""Contacts: records, companies, normalisation, search keys and fuzzy search."""
