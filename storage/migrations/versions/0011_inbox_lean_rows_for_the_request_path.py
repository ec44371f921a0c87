"""the inbox: lean rows for the request path

Applied events keep no payload (the writer empties it), and a reaction that arrived before the
answer it is on waits for it under `waits_for` ("<channel> <ts>"), so the answer's arrival
applies it at once.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 23:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbox_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("waits_for", sa.String(length=80), nullable=True))
        batch_op.create_index(batch_op.f("ix_inbox_events_waits_for"), ["waits_for"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("inbox_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbox_events_waits_for"))
        batch_op.drop_column("waits_for")
