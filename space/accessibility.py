"""Page-wide fixes for keyboard and screen-reader users that the tabs' layouts cannot make.

Gradio 6.31 draws no focus ring on radio buttons and check boxes, and gives every matplotlib
plot the alt text "undefined plot visualising provided data". This module adds a visible focus
ring to every control and names each plot after its label.
"""

import json

import gradio as gr

# The ring uses the page's text colour, so it contrasts with the page in light and dark themes.
# It is resolved once on the container because buttons redefine --body-text-color (white on
# the primary button).
FOCUS_CSS = """
.gradio-container { --lab-focus-ring: var(--body-text-color); }
.gradio-container button:focus-visible,
.gradio-container a:focus-visible,
.gradio-container input[type=radio]:focus-visible,
.gradio-container input[type=checkbox]:focus-visible {
    outline: 3px solid var(--lab-focus-ring) !important;
    outline-offset: 2px;
}
/* A style sheet applies wherever it sits, so its own block need not take up space. */
#focus-styles { display: none !important; }
"""

# Sets each plot image's alt text, and again whenever Gradio re-renders the image.
PLOT_ALT_JS = """
() => {
    const texts = %s;
    const apply = () => {
        for (const [id, text] of Object.entries(texts)) {
            for (const image of document.querySelectorAll(`#${id} img`)) {
                if (image.alt !== text) image.alt = text;
            }
        }
    };
    new MutationObserver(apply).observe(document.body, {
        subtree: true, childList: true, attributes: true, attributeFilter: ["alt", "src"],
    });
    apply();
}
"""


def add_focus_styles():
    """Render the focus-ring style sheet; gr.HTML keeps it in the page, wherever it is launched.

    `launch(css=...)` would apply only to a `launch()` that passes it, and the tests launch the
    app themselves.
    """
    return gr.HTML(f"<style>{FOCUS_CSS}</style>", container=False, padding=False,
                   elem_id="focus-styles")


def plot_alt_texts(endpoints_by_tab):
    """Return {plot element id: alt text} for every plot of every endpoint."""
    texts = {}
    for endpoints in endpoints_by_tab.values():
        for endpoint in endpoints:
            plots = [component for component in endpoint.outputs
                     if isinstance(component, gr.Plot)]
            for number, plot in enumerate(plots, start=1):
                name = plot.label or f"Figure {number}"
                texts[plot.elem_id] = (f"Plot: {name}. The summary below the plots gives "
                                       "its numbers.")
    return texts


def describe_plots(blocks, endpoints_by_tab):
    """Give each plot image an alt text naming the plot, from a browser-side load event."""
    texts = plot_alt_texts(endpoints_by_tab)
    blocks.load(None, js=PLOT_ALT_JS % json.dumps(texts, ensure_ascii=False))
