"""Fixtures shared by several test modules."""

from tests.device_nodes import full_device, null_device

__all__ = ["full_device", "null_device"]
