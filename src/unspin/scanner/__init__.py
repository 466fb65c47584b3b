"""Scan's decision layer: how likely a document is spun, and its findings (`detect.scan_text`)."""
