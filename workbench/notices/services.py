"""The notices domain's public interface: who wants which kind of notice.

Other domains import this module, notices.models and the pure `notices.kinds` only. The listeners
that send notices after recorded actions (notices.events) are subscribed when the app starts.
"""

from __future__ import annotations

from workbench.notices.preferences import muted, save, wanted

__all__ = ["muted", "save", "wanted"]
