"""view.html: a scoring run as a person reads it (`page`), its plots over time (`plots`), its inline CSS and
JS (`assets`)."""
from stance.score.view.page import ViewOptions, write_view

__all__ = ["ViewOptions", "write_view"]
