"""notifications: snooze, reveal pings, leaderboard switch, live counts

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 23:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "people_prefs",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("reveal_pings", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_people_prefs")),
    )
    op.create_table(
        "snoozes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_snoozes")),
    )
    with op.batch_alter_table("snoozes", schema=None) as batch_op:
        batch_op.create_index("ix_snoozes_team_id_user_id", ["team_id", "user_id"], unique=False)

    with op.batch_alter_table("channel_schedules", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("leaderboard_public", sa.Boolean(), server_default=sa.true(), nullable=False)
        )

    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("count_shown", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.drop_column("count_shown")

    with op.batch_alter_table("channel_schedules", schema=None) as batch_op:
        batch_op.drop_column("leaderboard_public")

    with op.batch_alter_table("snoozes", schema=None) as batch_op:
        batch_op.drop_index("ix_snoozes_team_id_user_id")

    op.drop_table("snoozes")
    op.drop_table("people_prefs")
