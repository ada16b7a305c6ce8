"""What the library pages share: the indicator from the URL, the engagement-type labels."""

from __future__ import annotations

from workbench import db
from workbench.engagements.models import TYPE_NAMES
from workbench.library import services
from workbench.library.models import LibraryIndicator

TYPE_LABELS = {key.value: name for key, name in TYPE_NAMES.items()}


def load_indicator(library_id: int, **_) -> LibraryIndicator:
    return services.get(db.session(), library_id)
