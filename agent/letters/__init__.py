"""Letters as documents: the first letter (CPCE R124-4) and the formal notice (mise en demeure),
rendered from versioned templates (prompts/letters/) to text, HTML and PDF, guarded like any draft."""
