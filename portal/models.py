"""Every model, imported together, so that any mapper configures with all the others present
(a relationship names its class by a string) and metadata (and Alembic's autogenerate) sees
every table, whichever module is imported first."""

import portal.accounts.models
import portal.areas.models
import portal.audit
import portal.comments.models
import portal.consultations.models
import portal.consultations.translation_models
import portal.feedback.models
import portal.panel.models
import portal.publications.models
import portal.reporting.models
import portal.responses.models
import portal.responses.tallies
import portal.safeguarding.models
import portal.schools.models
import portal.strategy.models  # noqa: F401
