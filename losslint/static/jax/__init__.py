"""JAX, optax and Flax, as the one interpreter reads them (see library.py)."""
