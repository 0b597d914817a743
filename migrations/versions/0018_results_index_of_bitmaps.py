"""results index: bitmaps of responses by answer and trait, per range of response ids

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-29 08:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'results_index_state',
        sa.Column('consultation_id', sa.Integer(), nullable=False),
        sa.Column('changes', sa.Integer(), server_default='0', nullable=False),
        sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_results_index_state_consultation_id_consultation'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('consultation_id', name=op.f('pk_results_index_state')),
    )
    op.create_table(
        'results_index_chunk',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('consultation_id', sa.Integer(), nullable=False),
        sa.Column('base', sa.Integer(), nullable=False),
        sa.Column('end', sa.Integer(), nullable=False),
        sa.Column('stale', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('built_at', sa.DateTime(), nullable=False),
        sa.Column('keys', sa.JSON(), nullable=False),
        sa.Column('bitmaps', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_results_index_chunk_consultation_id_consultation'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_results_index_chunk')),
        sa.UniqueConstraint('consultation_id', 'base', name='results_index_range'),
    )


def downgrade():
    op.drop_table('results_index_chunk')
    op.drop_table('results_index_state')
