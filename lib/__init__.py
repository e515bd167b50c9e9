"""The lab's experiments: configs, runs, records and plots. Pure: no printing, no gradio."""
