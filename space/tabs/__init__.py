"""One module per tab; each has `build()`, which lays out the tab inside an open `gr.Tab`."""
