"""schools: a town to find them by, and closing a school

Officers manage schools in the portal (/officer/schools). A school gets the town or village it
is in (empty for the schools already held), and the moment it was closed: a closed school keeps
its row, so responses through its links still count, but gets no new links.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.add_column(sa.Column('town', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.drop_column('closed_at')
        batch_op.drop_column('town')
