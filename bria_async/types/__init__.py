"""Public result and parameter types, one module per namespace."""
