"""Fixtures for this folder: the shared ones from tests/helpers.py."""

from tests.helpers import fake_fixture as fake_fixture
from tests.helpers import uis_fixture as uis_fixture
