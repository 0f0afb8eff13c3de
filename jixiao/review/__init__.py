"""Finance review: portfolio aggregates and flagged forms."""
