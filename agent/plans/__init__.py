"""Payment plans: policy, calendar, quotes, counter-proposals and lifecycle."""
