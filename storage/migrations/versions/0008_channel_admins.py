"""channel admins and calibration managers given in Slack, the intro on joining a channel

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 23:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channel_admins",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("added_by", sa.String(length=32), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "channel_id", "user_id", name=op.f("pk_channel_admins")),
    )
    op.create_table(
        "calibration_managers",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("added_by", sa.String(length=32), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_calibration_managers")),
    )
    op.create_table(
        "channel_intros",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("joined_ts", sa.String(length=32), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "team_id", "channel_id", "joined_ts", name=op.f("pk_channel_intros")
        ),
    )


def downgrade() -> None:
    op.drop_table("channel_intros")
    op.drop_table("calibration_managers")
    op.drop_table("channel_admins")
