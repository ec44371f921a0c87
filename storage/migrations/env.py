"""Alembic environment: the engine is handed over by storage.db.migrate()."""

from typing import Literal

from alembic import context
from sqlalchemy.schema import SchemaItem

# Every module that defines models, so Base.metadata holds every table autogenerate compares.
from storage import (  # noqa: F401
    admins,
    blind,
    calibration,
    channels,
    inbox,
    people_prefs,
    questions,
    rounds,
    votes,
)
from storage.base import Base

# slack_sdk's OAuth stores own these tables (created in 0002); autogenerate must not drop them.
FOREIGN_TABLES = {"slack_installations", "slack_bots", "slack_oauth_states"}


def include_object(
    obj: SchemaItem,
    name: str | None,
    type_: Literal[
        "schema",
        "table",
        "column",
        "index",
        "unique_constraint",
        "foreign_key_constraint",
        "check_constraint",
    ],
    reflected: bool,
    compare_to: SchemaItem | None,
) -> bool:
    return not (type_ == "table" and name in FOREIGN_TABLES)


engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        include_object=include_object,
    )
    context.run_migrations()
