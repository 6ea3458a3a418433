"""Live preview: rebuild on every save (`watch`) and serve the draft with reload (`serve`)."""
