"""the languages marked checked, kept on the consultation's row

Every respondent's page reads the consultation's row; with the languages an officer has marked
checked kept there, a consultation in English only asks nothing more about languages. Filled
from the languages already marked checked.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06 12:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade():
    # In place (SQLite adds a column without copying the table).
    op.add_column('consultation', sa.Column('checked_languages', sa.String(length=100), server_default='', nullable=False))
    connection = op.get_bind()
    checked: dict[int, list[str]] = {}
    for consultation_id, language in connection.execute(
        sa.text(
            "SELECT consultation_id, language FROM consultation_language"
            " WHERE checked_at IS NOT NULL ORDER BY language"
        )
    ):
        checked.setdefault(consultation_id, []).append(language)
    for consultation_id, languages in checked.items():
        connection.execute(
            sa.text("UPDATE consultation SET checked_languages = :languages WHERE id = :id"),
            {"languages": " ".join(languages), "id": consultation_id},
        )


def downgrade():
    op.drop_column('consultation', 'checked_languages')  # in place, SQLite 3.35 or later
