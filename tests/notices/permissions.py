"""Route × role rows of the notices domain (tests/test_permission_matrix.py collects them)."""

from tests.permissions_roles import AUTH

EXPECTED = {
    # Everyone signed in keeps their own notice preferences (their own profile page).
    "accounts.save_notice_preferences": AUTH,
    # Through the API, as on the 通知 page and the profile: one's own inbox and settings.
    "api.list_notifications_get": AUTH,
    "api.read_notification_post": {"lead"},  # its recipient only (tests/review/permissions.py)
    "api.read_all_notifications_post": AUTH,
    "api.get_notice_preferences_get": AUTH,
    "api.put_notice_preferences_put": AUTH,
}
