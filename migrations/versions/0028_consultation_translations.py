"""consultation translations, and the language each response was given in

A consultation can be offered in other languages: each language added to it, and each of its
texts translated with the English it was made from (a changed English text then reads as
needing a check). Responses say which language they were answered in; existing ones were all
answered in English. The results index now keeps a bitmap per language, which ranges built
before hold none of: each is marked stale, so the next `flask responses index` builds it again
and pages count it by SQL until then.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06 11:02:38

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('consultation_language',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('added_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('demonstration', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('checked_at', sa.DateTime(), nullable=True),
    sa.Column('checked_by_id', sa.Integer(), nullable=True),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['checked_by_id'], ['user_account.id'], name=op.f('fk_consultation_language_checked_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_consultation_language_consultation_id_consultation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_language')),
    sa.UniqueConstraint('consultation_id', 'language', name='one_consultation_language')
    )
    with op.batch_alter_table('consultation_language', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_language_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('text_translation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('english', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_text_translation_consultation_id_consultation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_text_translation')),
    sa.UniqueConstraint('consultation_id', 'language', 'key', name='one_text_translation')
    )
    with op.batch_alter_table('text_translation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_text_translation_consultation_id'), ['consultation_id'], unique=False)

    # Added in place, not by batch's copy of the table: SQLite would lose the response table's
    # AUTOINCREMENT (migration 0027) in a copy.
    op.add_column('response', sa.Column('language', sa.String(length=10), server_default='en', nullable=False))
    op.execute(sa.text("UPDATE results_index_chunk SET stale = :stale").bindparams(stale=True))



def downgrade():
    op.drop_column('response', 'language')  # in place, as added (SQLite 3.35 or later)

    with op.batch_alter_table('text_translation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_text_translation_consultation_id'))

    op.drop_table('text_translation')
    with op.batch_alter_table('consultation_language', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_language_consultation_id'))

    op.drop_table('consultation_language')
