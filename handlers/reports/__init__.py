"""Reports for managers: /pipeline, /forecast, /funnel, /atrisk, /team, /report."""
