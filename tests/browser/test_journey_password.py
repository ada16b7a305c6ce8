"""Journey: the admin resets a password; the person logs in with the temporary one, is kept on the
change page until they set their own, then works as before."""

import re

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

NEW_PASSWORD = "mine2026pass"


def test_temporary_password_is_changed_before_anything_else(page, live_server, tmp_path):
    base = live_server
    log_in(page, base, "demo-admin")
    page.goto(f"{base}/admin/users?q=demo-reviewer")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("tr:has-text('demo-reviewer') >> text=重置密码")
    notice = page.locator(".alert-warning").first.inner_text()
    temporary = re.search(r"临时密码.*：(\S+)", notice).group(1)
    page.locator("nav a.dropdown-toggle").last.click()  # the admin's own menu
    page.click("text=退出登录")
    page.wait_for_url(f"{base}/login")

    page.fill("input[name=username]", "demo-reviewer")
    page.fill("input[name=password]", temporary)
    page.click("#login-submit")
    page.wait_for_url(re.compile(r".*/password.*"))
    assert "修改临时密码" in page.content()
    assert page.locator("nav .navbar-nav").count() == 0  # nowhere else to go
    page.screenshot(path=str(tmp_path / "change_password.png"), full_page=True)

    page.goto(f"{base}/")  # typing another address leads back
    page.wait_for_url(re.compile(r".*/password.*"))
    page.fill("input[name=current]", temporary)
    page.fill("input[name=new]", temporary)
    page.fill("input[name=confirm]", temporary)
    page.click("#password-form button[type=submit]")
    assert "新密码不能与当前密码相同" in page.locator(".invalid-feedback").first.inner_text()
    page.screenshot(path=str(tmp_path / "change_password_refused.png"), full_page=True)

    page.fill("input[name=current]", temporary)
    page.fill("input[name=new]", NEW_PASSWORD)
    page.fill("input[name=confirm]", NEW_PASSWORD)
    page.click("#password-form button[type=submit]")
    page.wait_for_url(f"{base}/")
    assert "我的项目" in page.content() and "密码已修改" in page.content()
