"""the fixed penalty indicator named as the rate it holds

The report gives "Payment rates are low (around 25%)" (section 2.3.2); the indicator was
named "Fixed penalty fines for parents of truants paid", which reads as a number of fines
beside a value of 25%. Renamed where it still has the seeded name, so an officer's own
renaming is kept.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 01:30:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

CODE = "fixed-penalty-payment-rate"
SEEDED = "Fixed penalty fines for parents of truants paid"
RENAMED = "Payment rate of fixed penalty fines for parents of truants"


def rename(connection, old: str, new: str) -> None:
    connection.execute(
        sa.text("UPDATE indicator SET name = :new WHERE code = :code AND name = :old"),
        {"new": new, "old": old, "code": CODE},
    )


def upgrade():
    rename(op.get_bind(), SEEDED, RENAMED)


def downgrade():
    rename(op.get_bind(), RENAMED, SEEDED)
