"""Restore's decision layer: which sites to edit, and to what (`decode.Restorer`)."""
