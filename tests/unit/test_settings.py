"""The typed settings file: defaults, limits, saving and reading back, damaged files."""

from __future__ import annotations

import json

import pytest

from app.errors import ValidationError
from app.settings import LOCK_MINUTES, SETTINGS_VERSION, Settings


def test_defaults_without_a_file(tmp_path):
    assert Settings(tmp_path / "none.json").get(LOCK_MINUTES) == 15


def test_saved_value_is_read_back_with_its_version(tmp_path):
    path = tmp_path / "sub" / "settings.json"
    settings = Settings(path)
    settings.set(LOCK_MINUTES, 5)
    settings.save()
    assert Settings(path).get(LOCK_MINUTES) == 5
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert stored == {"settings_version": SETTINGS_VERSION, "values": {"session.lock_minutes": 5}}


@pytest.mark.parametrize("value", [0, 241, "10", True])
def test_out_of_range_or_wrong_type_is_refused(tmp_path, value):
    settings = Settings(tmp_path / "s.json")
    with pytest.raises(ValidationError) as refused:
        settings.set(LOCK_MINUTES, value)
    assert LOCK_MINUTES.key in refused.value.errors
    assert settings.get(LOCK_MINUTES) == 15


def test_damaged_file_gives_defaults(tmp_path):
    path = tmp_path / "s.json"
    path.write_text("{ não é json", encoding="utf-8")
    assert Settings(path).get(LOCK_MINUTES) == 15


def test_stored_value_out_of_limits_falls_back_to_the_default(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"settings_version": 1, "values": {"session.lock_minutes": 0}}))
    assert Settings(path).get(LOCK_MINUTES) == 15
