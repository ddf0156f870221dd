"""The web layer: thin adapters over ``Assistant`` (Gradio UI, rendering; see app.py for the entry point)."""
