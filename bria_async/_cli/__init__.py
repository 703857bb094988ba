"""The `bria-async` subcommands beyond the emulator: demo, generate and batch.

Each module imports rich (the `cli` extra) only when its command runs, so `import bria_async`
and `bria-async emulator` work without it.
"""
