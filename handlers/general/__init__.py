"""General: /start (with an invite), /help, /cancel, /lang, /settings."""
