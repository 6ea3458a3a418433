"""Review rounds: review editions of the PDF, rounds with per-reviewer packets, and (later) comments."""
