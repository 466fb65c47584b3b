"""Adapters to other tools' plug-in interfaces (spaCy). Each module imports its tool itself;
nothing here is imported by unspin's core."""
