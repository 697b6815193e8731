"""The base a re-import merges against, and the file an import's history entry came from.

``import_base`` holds, per partnership, source file, kind and key, the values
that file last stated for the row; ``action_update.file_name`` names the file
an import entry came from. Existing databases start with no bases: the first
import of each file after the upgrade behaves as imports did before (the file's
stated values are applied), and from then on re-imports merge.

Revision ID: 0007
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_base",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("file_name", sa.String(length=300), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["by_id"], ["person.id"], name=op.f("fk_import_base_by_id_person")),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnership.id"],
            name=op.f("fk_import_base_partnership_id_partnership"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_base")),
        sa.UniqueConstraint(
            "partnership_id",
            "source",
            "kind",
            "key",
            name=op.f("uq_import_base_partnership_id_source_kind_key"),
        ),
    )
    op.create_index(op.f("ix_import_base_partnership_id"), "import_base", ["partnership_id"])
    with op.batch_alter_table("action_update", schema=None) as batch_op:
        batch_op.add_column(sa.Column("file_name", sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("action_update", schema=None) as batch_op:
        batch_op.drop_column("file_name")
    op.drop_index(op.f("ix_import_base_partnership_id"), table_name="import_base")
    op.drop_table("import_base")
