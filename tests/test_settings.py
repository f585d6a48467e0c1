import re

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from gcm_tracker.env import env_bool, env_int, env_list


def test_every_environment_variable_the_settings_read_is_in_env_example():
    source = (settings.BASE_DIR / "gcm_tracker" / "settings.py").read_text()
    read = set(re.findall(r'env_\w+\(\s*"([A-Z0-9_]+)"', source))
    listed = set(
        re.findall(r"^([A-Z0-9_]+)=", (settings.BASE_DIR / ".env.example").read_text(), re.M)
    )
    assert read and read - listed == set()


def test_a_value_the_settings_cannot_read_fails_loudly(monkeypatch):
    monkeypatch.setenv("GCM_EXAMPLE_FLAG", "maybe")
    monkeypatch.setenv("GCM_EXAMPLE_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="GCM_EXAMPLE_FLAG"):
        env_bool("GCM_EXAMPLE_FLAG")
    with pytest.raises(ImproperlyConfigured, match="GCM_EXAMPLE_NUMBER"):
        env_int("GCM_EXAMPLE_NUMBER", default=1)


def test_lists_are_comma_separated(monkeypatch):
    monkeypatch.setenv("GCM_EXAMPLE_HOSTS", "tracker.example.org, ,api.example.org")
    assert env_list("GCM_EXAMPLE_HOSTS") == ["tracker.example.org", "api.example.org"]
