"""calibration sessions and scores

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 21:23:37.404625
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "calibration_sessions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("question_id", sa.String(length=128), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("evidence_kind", sa.String(length=16), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("specimen", sa.Integer(), nullable=True),
        sa.Column("expected_score", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("started_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=32), nullable=True),
        sa.Column("reveal_ts", sa.String(length=32), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calibration_sessions")),
    )
    with op.batch_alter_table("calibration_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_calibration_sessions_status"), ["status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_calibration_sessions_team_id"), ["team_id"], unique=False
        )

    op.create_table(
        "calibration_scores",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("rater_id", sa.String(length=32), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["calibration_sessions.id"],
            name=op.f("fk_calibration_scores_session_id_calibration_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calibration_scores")),
        sa.UniqueConstraint(
            "session_id", "rater_id", name=op.f("uq_calibration_scores_session_id_rater_id")
        ),
    )
    with op.batch_alter_table("calibration_scores", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_calibration_scores_session_id"), ["session_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("calibration_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calibration_scores_session_id"))

    op.drop_table("calibration_scores")
    with op.batch_alter_table("calibration_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calibration_sessions_team_id"))
        batch_op.drop_index(batch_op.f("ix_calibration_sessions_status"))

    op.drop_table("calibration_sessions")
