"""Fixtures shared by several test modules."""

from tests.device_nodes import full_device, null_device
from tests.result_schema import validate_every_result

__all__ = ["full_device", "null_device", "validate_every_result"]
