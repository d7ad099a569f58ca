"""Where PyTorch models are read (static front end for `torch.nn`).

`extract_loss_sites` runs the PyTorch interpreter (`interpret.py`) over one file and turns every
loss call it could follow back to a model output into the same `ModelFacts` the Keras front end
builds (`framework="torch"`, `site="loss-call"`). `fix.py` realises fix intents on PyTorch code.
"""

from .extract import extract_loss_sites

__all__ = ["extract_loss_sites"]
