"""Analytics: segments and profiles, churn, pipeline, team activity, service, reports."""
