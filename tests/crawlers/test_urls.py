import pytest

from crawlers.urls import canonical_url, host_of


@pytest.mark.parametrize("url, expected", [
    ("HTTP://Example.COM:80/a?b=2&a=1#top", "http://example.com/a?a=1&b=2"),
    ("https://example.com:443", "https://example.com/"),
    ("http://127.0.0.1:8123/x/#frag", "http://127.0.0.1:8123/x/"),
    ("http://example.com/tag/%E5%BC%80%E6%BA%90/", "http://example.com/tag/%E5%BC%80%E6%BA%90/"),
])
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected


def test_host_of_keeps_non_default_port():
    assert host_of("http://LOCALHOST:8080/a") == "localhost:8080"
    assert host_of("https://a.test:443/") == "a.test"
