"""Where PyTorch models are read: the PyTorch library of the one static interpreter.

`library.py` tells the engine (`static/engine/interpreter.py`) what `torch.nn` / `torch.nn.functional` /
torchvision / timm calls mean and records every loss call; `extract.py` turns those calls into
the same `ModelFacts` the Keras library yields (`framework="torch"`, `site="loss-call"`);
`fix.py` realises fix intents on PyTorch code.
"""
