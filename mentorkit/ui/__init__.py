"""ipywidgets views: one module per app, plus the parts they share.

Importing them changes nothing in ipywidgets: each app's entry point (the function its
notebook calls) guards the widget channel before it makes a widget (see
`mentorkit.ui.guard.install_widget_guards`).
"""
