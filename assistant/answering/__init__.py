"""Question cleaning and analysis, grounding, and composing answers."""
