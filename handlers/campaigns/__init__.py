"""Campaigns: the /campaign form, /campaigns, a rep's drafts and results."""
