"""`unspin serve`: a local web service (JSON API + page) around the restoration engine."""

from .settings import ServeSettings

__all__ = ["ServeSettings", "create_app", "build_default_app"]


def __getattr__(name: str):  # fastapi is imported only when the app is wanted
    if name in {"create_app", "build_default_app"}:
        from . import app

        return getattr(app, name)
    raise AttributeError(name)
