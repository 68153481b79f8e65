"""Outreach: campaigns and their results, loyalty points and coupons, customer care."""
