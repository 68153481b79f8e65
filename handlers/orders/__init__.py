"""Orders and money: /order, /paid, /receivables, the order card."""
