"""`losslint server`: the Language Server (needs the `lsp` extra: `pip install "losslint-ml[lsp]"`)."""
