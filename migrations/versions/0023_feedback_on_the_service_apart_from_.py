"""feedback on the service, apart from responses

"What did you think of this service?" after sending: an optional rating and comment, with only
the consultation and the UK day. No response id, reference, address or time, and a random key
rather than a counting one, so no row can be paired with the response it followed.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 22:30:37.044325

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('service_feedback',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('given_in_week', sa.Date(), nullable=False),
    sa.Column('rating', sa.Enum('very_satisfied', 'satisfied', 'neither', 'dissatisfied', 'very_dissatisfied', name='satisfaction', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_service_feedback_consultation_id_consultation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_feedback'))
    )
    with op.batch_alter_table('service_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_feedback_consultation_id'), ['consultation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_feedback_given_in_week'), ['given_in_week'], unique=False)



def downgrade():
    with op.batch_alter_table('service_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_feedback_given_in_week'))
        batch_op.drop_index(batch_op.f('ix_service_feedback_consultation_id'))

    op.drop_table('service_feedback')
