"""Benchmark harnesses and the spinner simulator used only for evaluation (never by the engine)."""
