"""benchmarks/probe_resolution.py on a tiny project: a PyTorch site and a Keras compile() whose
outputs the analyzer resolves (a finding under a probe), and a PyTorch site it cannot resolve (the
model arrives through `mp.Process`), reported by LL901 only."""

import os
import subprocess
import sys
import textwrap

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir)

MODEL = textwrap.dedent("""\
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(8, 3)

        def forward(self, x):
            return self.fc(x)
""")
TRAIN = textwrap.dedent("""\
    import torch
    import torch.nn as nn

    from model import Net

    model = Net()
    criterion = nn.CrossEntropyLoss()
    loss = criterion(model(torch.randn(4, 8)), torch.randint(0, 3, (4,)))
""")
HOGWILD = textwrap.dedent("""\
    import torch.multiprocessing as mp
    import torch.nn as nn


    def train(model, x, y):
        return nn.CrossEntropyLoss()(model(x), y)


    if __name__ == "__main__":
        mp.Process(target=train, args=(nn.Linear(8, 3), None, None)).start()
""")
KERAS = textwrap.dedent("""\
    from tensorflow import keras

    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
""")


def test_probes_count_resolved_sites_and_leave_the_rest_to_ll901(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    for name, text in (("model.py", MODEL), ("train.py", TRAIN), ("hogwild.py", HOGWILD), ("keras_model.py", KERAS)):
        (project / name).write_text(text)
    env = {**os.environ, "PYTHONPATH": ROOT}
    out = subprocess.run([sys.executable, os.path.join(ROOT, "benchmarks", "probe_resolution.py"), str(project),
                          "--list"], capture_output=True, text=True, check=True, env=env).stdout
    assert "3 probed loss sites (.py), 2 resolved (a finding under a probe), 1 more reported by LL901" in out, out
    assert "unresolved  hogwild.py:6" in out, out
    assert (project / "train.py").read_text() == TRAIN  # the probes edit a copy
