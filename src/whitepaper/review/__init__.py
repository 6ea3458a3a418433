"""Review rounds: the review edition, rounds with per-reviewer packets, returned comments, reports."""
