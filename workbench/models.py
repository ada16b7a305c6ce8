"""Import every domain's table models so SQLModel.metadata is complete (Alembic, tests)."""

from workbench.core import audit, storage  # noqa: F401
from workbench.domains import modules

modules("models")
