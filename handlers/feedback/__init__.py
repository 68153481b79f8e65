"""Feedback: /feedback, /csat, /nps, /resolve, /complaints."""
