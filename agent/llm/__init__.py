"""LLM drafting through any OpenAI-compatible endpoint: the model phrases, the code decides the facts.

Nothing here creates an SDK client at import time: clients are built lazily by each composer.
"""
