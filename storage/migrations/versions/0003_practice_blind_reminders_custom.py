"""practice blind mode reminders custom questions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 17:58:56.722733
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "custom_questions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("question_id", sa.String(length=128), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("sample_answer", sa.Text(), nullable=False),
        sa.Column("difficulty", sa.String(length=16), nullable=True),
        sa.Column("added_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_questions")),
        sa.UniqueConstraint(
            "team_id", "question_id", name=op.f("uq_custom_questions_team_id_question_id")
        ),
    )
    op.create_table(
        "blind_answers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["rounds.id"],
            name=op.f("fk_blind_answers_round_id_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blind_answers")),
        sa.UniqueConstraint("round_id", "user_id", name=op.f("uq_blind_answers_round_id_user_id")),
    )
    with op.batch_alter_table("channel_schedules", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("mode", sa.String(length=8), server_default="open", nullable=False)
        )
        batch_op.add_column(sa.Column("remind_minutes", sa.Integer(), nullable=True))
        batch_op.alter_column("post_time", existing_type=sa.VARCHAR(length=5), nullable=True)
        batch_op.alter_column("timezone", existing_type=sa.VARCHAR(length=64), nullable=True)

    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), server_default="daily", nullable=False)
        )
        batch_op.add_column(
            sa.Column("mode", sa.String(length=8), server_default="open", nullable=False)
        )
        batch_op.add_column(sa.Column("started_by", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("counter_ts", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.drop_column("reminded_at")
        batch_op.drop_column("counter_ts")
        batch_op.drop_column("started_by")
        batch_op.drop_column("mode")
        batch_op.drop_column("kind")

    with op.batch_alter_table("channel_schedules", schema=None) as batch_op:
        batch_op.alter_column("timezone", existing_type=sa.VARCHAR(length=64), nullable=False)
        batch_op.alter_column("post_time", existing_type=sa.VARCHAR(length=5), nullable=False)
        batch_op.drop_column("remind_minutes")
        batch_op.drop_column("mode")

    op.drop_table("blind_answers")
    op.drop_table("custom_questions")
