"""Loyalty: /points and /coupon."""
