"""ipywidgets views: one module per app, plus the parts they share."""
