"""The Gradio web app: handlers, HTML rendering, static CSS/JS."""
