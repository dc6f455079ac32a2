"""Knowledge base: guideline corpus, offline embeddings, Chroma index and retrieval."""
