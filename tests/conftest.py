"""Fixtures shared by several test modules."""

from tests.device_nodes import full_device, null_device
from tests.result_schema import validate_every_result
from tests.support.fake_arm_fixtures import fast_retries, point_cli_at_fake_arm

__all__ = ["fast_retries", "full_device", "null_device", "point_cli_at_fake_arm", "validate_every_result"]
