"""SQL databases through SQLAlchemy: the ``sql`` sink (exactly-once, COPY on PostgreSQL) and the
``sql`` source; ``engine`` is what both share (engines, redacted URLs, error translation)."""
