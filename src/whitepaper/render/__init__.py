"""Stage 5, render: the resolved paper to HTML through pandoc (the body) and jinja2 (the pages)."""
