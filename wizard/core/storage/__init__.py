"""Saved state: atomic file writes, the state store and its directory lock.

Everything the product writes to disk goes through `atomic_write_bytes`, so a crash,
a kill or a full disk leaves either the old file or the new one, never a torn one.
"""

from wizard.core.storage.atomic import atomic_write_bytes, atomic_write_text
from wizard.core.storage.state import StateStore

__all__ = ["StateStore", "atomic_write_bytes", "atomic_write_text"]
