"""ipywidgets views: one module per app, plus the parts they share.

Every app is imported from here, before it makes a widget: in a page's kernel the widget
channel is guarded from then on (the page can neither make widgets nor set what a person
cannot; see `mentorkit.ui.guard`).
"""

from mentorkit.ui import guard

guard.install_in_kernel()
