"""Deals: /deal, /deals, /won, /lost, /stages, the deal card and its stage buttons."""
