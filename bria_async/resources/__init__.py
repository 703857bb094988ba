"""One module per namespace of the client."""
