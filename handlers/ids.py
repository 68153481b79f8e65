"""Record ids typed by users (#42) or carried by buttons: digits that fit the database's INTEGER.

PostgreSQL refuses an integer past 2^31 - 1 in a query on an id column ("integer out of
range") where SQLite simply finds nothing: an id past it is no record of ours, on both stores.
"""

from __future__ import annotations

MAX_ID = 2**31 - 1


def record_id(text: str) -> int | None:
    """The id `text` names ("#42", "42"), or None when it is not one we could have stored."""
    digits = text.strip().removeprefix("#")
    if not (digits.isascii() and digits.isdigit()) or len(digits) > len(str(MAX_ID)):
        return None
    value = int(digits)
    return value if 0 < value <= MAX_ID else None
