"""Hugging Face Transformers / Datasets, as the one interpreter reads them (see library.py)."""
