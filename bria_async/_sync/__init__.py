"""The synchronous client: the async surface run on a private event loop thread."""
