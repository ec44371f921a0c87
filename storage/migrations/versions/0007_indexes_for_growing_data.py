"""indexes for growing data: the clock's every-minute questions use an index, not a scan of every
round ever held

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 23:45:00
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.create_index("ix_rounds_status_reveal_at", ["status", "reveal_at"], unique=False)
        batch_op.create_index("ix_rounds_status_reveal_ts", ["status", "reveal_ts"], unique=False)
        batch_op.create_index("ix_rounds_local_date", ["local_date"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.drop_index("ix_rounds_local_date")
        batch_op.drop_index("ix_rounds_status_reveal_ts")
        batch_op.drop_index("ix_rounds_status_reveal_at")
