"""Records: import and export files, soft delete and restore, erasure."""
