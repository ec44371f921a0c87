"""privacy: answer tombstones and retention

A deleted answer keeps only a tombstone: `deleted_at` is new, and answers deleted before this
revision lose their text and author now (and the votes on them), as deletions do from now on.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 23:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

answers = sa.table(
    "answers",
    sa.column("team_id", sa.String),
    sa.column("channel_id", sa.String),
    sa.column("ts", sa.String),
    sa.column("user_id", sa.String),
    sa.column("text", sa.Text),
    sa.column("deleted", sa.Boolean),
    sa.column("received_at", sa.DateTime(timezone=True)),
    sa.column("deleted_at", sa.DateTime(timezone=True)),
)
votes = sa.table(
    "votes",
    sa.column("team_id", sa.String),
    sa.column("channel_id", sa.String),
    sa.column("message_ts", sa.String),
)


def upgrade() -> None:
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))

    deleted = answers.c.deleted.is_(True)
    op.execute(
        votes.delete().where(
            sa.exists().where(
                deleted,
                answers.c.team_id == votes.c.team_id,
                answers.c.channel_id == votes.c.channel_id,
                answers.c.ts == votes.c.message_ts,
            )
        )
    )
    # when it was deleted is unknown: the time it was first seen stands in
    op.execute(
        answers.update()
        .where(deleted)
        .values(text="", user_id="", deleted_at=answers.c.received_at)
    )


def downgrade() -> None:
    # the emptied texts are gone for good; only the column goes
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.drop_column("deleted_at")
