"""Records: /audit, /delete, /restore, /erase, contact import from files, /export."""
