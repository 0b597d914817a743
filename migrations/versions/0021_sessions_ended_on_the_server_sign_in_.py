"""sessions ended on the server, sign-in locks per place

Each account gets a session generation, part of every session's user id: signing out (and a
disabled account or a two-factor reset) moves it on, so every earlier cookie stops working.
Wrong passwords are counted per account and place (a keyed hash of the client address) rather
than per account, so nobody elsewhere can lock an officer out of their own desk. Locks in force
when this runs are dropped: they were counted the old way.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 19:08:15.837797

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sign_in_lock',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('place', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('last_failed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_sign_in_lock_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'place', name=op.f('pk_sign_in_lock'))
    )
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_column('failed_sign_ins')
        batch_op.drop_column('locked_until')



def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('failed_sign_ins', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_column('session_generation')

    op.drop_table('sign_in_lock')
