"""Storage: SQLAlchemy models, sessions, migrations, and the plan import/export."""
