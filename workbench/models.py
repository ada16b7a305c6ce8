"""Import every domain's table models so SQLModel.metadata is complete (Alembic, tests)."""

from workbench.core import audit, idempotency, storage  # noqa: F401
from workbench.domains import modules

modules("models")

# Tables of the reports domain kept outside reports/models.py (the 报告体检 record, the 公开版
# marks).
from workbench.reports import checkup_models, models_public  # noqa: E402, F401

# The agency's own report outlines (reports/outline_models.py).
from workbench.reports import outline_models as _outline_models  # noqa: E402, F401
