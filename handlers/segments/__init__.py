"""Segments: /segments (RFM, value tiers, lifecycle) and the group lists."""
