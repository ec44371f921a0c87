"""team question review

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 22:13:44.757668
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The questions already there were in the daily rotation: they stay approved, so no team
    # loses a question on upgrade.
    with op.batch_alter_table("custom_questions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), server_default="approved", nullable=False)
        )
        batch_op.add_column(sa.Column("reviewed_by", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
    # From now on a new question waits for an admin.
    with op.batch_alter_table("custom_questions", schema=None) as batch_op:
        batch_op.alter_column(
            "status",
            existing_type=sa.String(length=16),
            existing_nullable=False,
            server_default="pending",
        )


def downgrade() -> None:
    with op.batch_alter_table("custom_questions", schema=None) as batch_op:
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("reviewed_by")
        batch_op.drop_column("status")
