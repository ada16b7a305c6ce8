"""An agency's own report outline profiles, per commissioning bureau and engagement type.

Each save is a new numbered version (the YAML as uploaded, its hash, who saved it); the highest
version of a (agency, bureau, engagement type) applies unless it was withdrawn (``active`` false),
in which case the shipped profile of the type applies again.
"""

from datetime import datetime

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from workbench.core.timeutil import utcnow


class OutlineProfile(SQLModel, table=True):
    """One version of an agency's outline for one bureau's engagements of one type."""

    __tablename__ = "outline_profile"
    __table_args__ = (
        UniqueConstraint("agency_id", "bureau_id", "engagement_type", "version",
                         name="uq_outline_profile_version"),
    )  # fmt: skip

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="organisation.id", index=True)
    bureau_id: int = Field(foreign_key="organisation.id", index=True)
    engagement_type: str = Field(max_length=30)
    version: int = 1
    name: str = Field(max_length=200)
    source: str = Field(sa_type=Text)  # the YAML as saved
    sha256: str = Field(max_length=64)
    active: bool = True
    note: str = Field(default="", max_length=500)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)

    def visible_to(self, user) -> bool:
        """Only the admins of the agency that saved it know the profile exists."""
        return bool(getattr(user, "is_admin", False) and user.org_id == self.agency_id)
