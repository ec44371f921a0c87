"""votes keep their emoji, schedules why the bot paused them

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 22:22:59.468218
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:

    with op.batch_alter_table("channel_schedules", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paused_reason", sa.String(length=64), nullable=True))

    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("emoji", sa.String(length=64), nullable=True))


def downgrade() -> None:

    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.drop_column("emoji")

    with op.batch_alter_table("channel_schedules", schema=None) as batch_op:
        batch_op.drop_column("paused_reason")
