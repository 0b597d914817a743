"""invitations whose response was withdrawn

A panel member's response withdrawn by an officer (portal/responses/lookup.py) marks the
invitation that brought it: the response rates stop counting the member as responded, while
the code stays spent (responded_at is kept), so it cannot be used again and no reminder goes.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_column('withdrawn_at')
