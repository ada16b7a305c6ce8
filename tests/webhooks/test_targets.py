"""Where a webhook may point: public addresses, or networks the operator allowed."""

import pytest

from workbench.webhooks import targets


def resolver(table):
    def resolve(host, port):
        if host not in table:
            raise OSError("no such host")
        return table[host]

    return resolve


HOSTS = resolver(
    {
        "pm.example.gov.cn": ["203.0.113.9"],  # TEST-NET-3 is not global: use a real public one
        "public.example.com": ["8.8.8.8"],
        "internal.example.com": ["10.1.2.3"],
        "loop.example.com": ["127.0.0.1"],
        "meta.example.com": ["169.254.169.254"],
        "v6.example.com": ["::1"],
        "ula.example.com": ["fd00::1"],
        "mixed.example.com": ["8.8.8.8", "192.168.1.5"],
        "empty.example.com": [],
    }
)


@pytest.mark.parametrize(
    "url",
    ["https://public.example.com/hooks", "http://public.example.com:8080/x?y=1"],
)
def test_public_addresses_are_allowed(url):
    assert targets.refusal(url, allowed=[], resolver=HOSTS) == ""


@pytest.mark.parametrize(
    "host",
    ["internal.example.com", "loop.example.com", "meta.example.com", "v6.example.com",
     "ula.example.com", "mixed.example.com", "pm.example.gov.cn"],
)  # fmt: skip
def test_private_loopback_and_metadata_addresses_are_refused(host):
    why = targets.refusal(f"https://{host}/hooks", allowed=[], resolver=HOSTS)
    assert "不能作为推送地址" in why and "WEBHOOK_ALLOWED_NETWORKS" in why


def test_allowed_networks_admit_an_intranet():
    allowed = targets.networks("10.0.0.0/8, 192.168.0.0/16")
    assert targets.refusal("http://internal.example.com/h", allowed=allowed, resolver=HOSTS) == ""
    assert targets.refusal("http://mixed.example.com/h", allowed=allowed, resolver=HOSTS) == ""
    assert targets.refusal("http://loop.example.com/h", allowed=allowed, resolver=HOSTS) != ""


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://public.example.com/x", "http:// 或 https://"),
        ("file:///etc/passwd", "http:// 或 https://"),
        ("https:///nohost", "缺少主机名"),
        ("https://user:pw@public.example.com/x", "用户名或密码"),
        ("https://public.example.com:99999/x", "端口号无效"),
        ("https://nowhere.example.com/x", "无法解析主机名"),
        ("https://empty.example.com/x", "无法解析主机名"),
    ],
)
def test_bad_urls_say_why(url, message):
    assert message in targets.refusal(url, allowed=[], resolver=HOSTS)


def test_a_bad_network_setting_raises():
    with pytest.raises(ValueError):
        targets.networks("10.0.0.0/33")
