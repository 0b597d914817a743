"""consultation series and waves

A consultation run again ("Run again as a new wave") becomes the next wave of a series; the
first run is wave 1. Questions match across waves by their key, so no table links them.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 02:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'consultation_series',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_series')),
    )
    with op.batch_alter_table('consultation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('series_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('wave_number', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_consultation_series_id'), ['series_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_consultation_series_id_consultation_series'),
            'consultation_series', ['series_id'], ['id'],
        )
        batch_op.create_unique_constraint('one_wave_number', ['series_id', 'wave_number'])


def downgrade():
    with op.batch_alter_table('consultation', schema=None) as batch_op:
        batch_op.drop_constraint('one_wave_number', type_='unique')
        batch_op.drop_constraint(
            batch_op.f('fk_consultation_series_id_consultation_series'), type_='foreignkey'
        )
        batch_op.drop_index(batch_op.f('ix_consultation_series_id'))
        batch_op.drop_column('wave_number')
        batch_op.drop_column('series_id')
    op.drop_table('consultation_series')
