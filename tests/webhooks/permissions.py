"""Route × role expectations of the webhook settings (read by tests/test_permission_matrix)."""

from tests.permissions_roles import ADMIN, ANY_ADMIN, each_role

EXPECTED = {
    "webhooks.index": ANY_ADMIN,
    # One agency's endpoints are another agency admin's 404.
    "webhooks.endpoint": ADMIN,
    "webhooks.rotate": ADMIN,
    "webhooks.ping": ADMIN,
    "webhooks.redeliver": ADMIN,
    "webhooks.delete": ADMIN,
}


def params(db, demo) -> dict:
    """A fresh endpoint of the demo agency per role (one route deletes it), with one delivery."""
    from workbench.webhooks.models import WebhookDelivery, WebhookEndpoint

    admin = demo.users["demo-admin"]
    made: dict[int, int] = {}

    def make(role: str) -> int:
        endpoint = WebhookEndpoint(
            agency_id=admin.org_id,
            url=f"https://hooks.example.com/{role}",
            events=["engagement.stage_advanced"],
            secret="whsec_matrix",
            created_by_id=admin.id,
        )
        db.add(endpoint)
        db.flush()
        delivery = WebhookDelivery(
            endpoint_id=endpoint.id, event="ping", event_key=f"ping:{role}", event_id=role,
            payload="{}", status="failed", attempts=8,
        )  # fmt: skip
        db.add(delivery)
        db.flush()
        made[endpoint.id] = delivery.id
        return endpoint.id

    endpoints = each_role(make)
    return {"endpoint_id": endpoints, "delivery_id": lambda role: made[endpoints(role)]}
