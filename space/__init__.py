"""The Gradio app: one tab per experiment, each a thin layer over `lib`."""
