"""Import every domain's table models so SQLModel.metadata is complete (Alembic, tests)."""

from workbench.accounts import models as accounts_models  # noqa: F401
from workbench.core import audit  # noqa: F401
from workbench.engagements import models as engagements_models  # noqa: F401
