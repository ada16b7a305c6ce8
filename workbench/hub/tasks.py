"""The periodic sync: every hour the worker syncs each agency's online hub connection."""

from __future__ import annotations

import logging

from flask import current_app
from huey import crontab
from sqlmodel import select

from workbench import db as database
from workbench.core import jobs
from workbench.core.errors import DomainError
from workbench.hub import sync
from workbench.hub.models import HubConnection

log = logging.getLogger(__name__)


@jobs.periodic(crontab(minute="17"))
def sync_hourly() -> None:
    """Sync every online connection; a hub that is away is recorded and tried again next hour."""
    with database.session_scope(write=False) as session:
        ids = [row.id for row in session.exec(select(HubConnection)).all() if row.online]
    for connection_id in ids:
        try:
            with database.session_scope() as session:
                connection = session.get(HubConnection, connection_id)
                with sync.open_client(connection, config=current_app.config) as client:
                    result = sync.sync(session, actor=None, connection=connection, client=client)
            log.info("hub sync %s: %s", connection_id, result.summary())
        except DomainError as error:  # a bad address or an unreadable key: said on the page
            log.warning("hub sync %s: %s", connection_id, error.message)
