"""Grounded drafting: intent, retrieval, facts, composition and the final guard gate."""
