"""Alembic environment: runs on the connection xzcrawler.schema hands it, or on DATABASE_URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from xzcrawler import search
from xzcrawler.models import Base

# Made by hand-written migrations, not by the models: autogenerate must not drop them.
UNMODELLED = (search.FTS_TABLE, search.PG_TABLE, "article_list")


def include_object(
    obj: object, name: str | None, kind: str, reflected: bool, other: object
) -> bool:
    return not (name or "").startswith(UNMODELLED)


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:
    from xzcrawler.storage import engine_for

    with engine_for(context.config.get_main_option("sqlalchemy.url")).connect() as conn:
        run(conn)
else:
    run(connection)
