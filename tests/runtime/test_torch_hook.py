"""The PyTorch inspector on real CPU torch: what it reports, and that it never changes training."""

from __future__ import annotations

import warnings

import pytest

from conftest import require

torch = require("torch")
nn, F = torch.nn, torch.nn.functional

import losslint  # noqa: E402
from losslint.runtime import torch_hook  # noqa: E402
from losslint.runtime.hook import LossLintError, LossLintWarning  # noqa: E402


@pytest.fixture
def installed():
    losslint.install()
    yield
    losslint.uninstall()


def _codes(caught) -> list[str]:
    return [str(w.message).split()[0] for w in caught if issubclass(w.category, LossLintWarning)]


def _run(function):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        function()
    return _codes(caught)


def _data(classes=10):
    torch.manual_seed(0)
    return torch.randn(32, 20), torch.randint(0, classes, (32,))


def test_softmax_into_cross_entropy_warns_once_per_loss_object(installed):
    x, y = _data()
    model = nn.Sequential(nn.Linear(20, 10), nn.Softmax(dim=1))
    criterion = nn.CrossEntropyLoss()
    assert _run(lambda: [criterion(model(x), y) for _ in range(5)]) == ["LL101"]
    assert _run(lambda: nn.CrossEntropyLoss()(model(x), y)) == ["LL101"]  # a new loss object


def test_each_mistake_by_the_graph(installed):
    x, y = _data()
    linear = nn.Linear(20, 10)
    assert _run(lambda: nn.NLLLoss()(linear(x), y)) == ["LL109"]
    assert _run(lambda: F.kl_div(F.softmax(linear(x), 1), F.softmax(torch.randn(32, 10), 1),
                                 reduction="batchmean")) == ["LL110"]
    assert _run(lambda: nn.BCEWithLogitsLoss()(torch.sigmoid(nn.Linear(20, 1)(x)),
                                               torch.randint(0, 2, (32, 1)).float())) == ["LL101"]
    assert _run(lambda: nn.CrossEntropyLoss()(torch.relu(linear(x)), y)) == ["LL107"]


def test_correct_programs_are_silent(installed):
    x, y = _data()
    linear = nn.Linear(20, 10)
    assert _run(lambda: nn.CrossEntropyLoss()(linear(x), y)) == []
    assert _run(lambda: nn.NLLLoss()(F.log_softmax(linear(x), dim=1), y)) == []
    assert _run(lambda: nn.CrossEntropyLoss()(F.log_softmax(linear(x), dim=1), y)) == []
    assert _run(lambda: nn.BCELoss()(torch.sigmoid(nn.Linear(20, 1)(x)),
                                     torch.randint(0, 2, (32, 1)).float())) == []
    assert _run(lambda: nn.CrossEntropyLoss()(linear(x), F.one_hot(y, 10).float())) == []
    ignored = y.clone()
    ignored[:4] = -100  # the default ignore_index is not a label out of range
    assert _run(lambda: nn.CrossEntropyLoss()(linear(x), ignored)) == []


def test_values_decide_when_the_graph_says_nothing(installed):
    x, y = _data()
    linear = nn.Linear(20, 10)
    with torch.no_grad():
        assert _run(lambda: nn.NLLLoss()(F.softmax(linear(x), 1), y)) == ["LL109"]
        assert _run(lambda: nn.NLLLoss()(linear(x), y)) == ["LL109"]
        assert _run(lambda: nn.NLLLoss()(F.log_softmax(linear(x), 1), y)) == []
        assert _run(lambda: nn.CrossEntropyLoss()(F.softmax(linear(x), 1), y)) == ["LL101"]


def test_targets(installed):
    x, y = _data()
    assert _run(lambda: nn.BCEWithLogitsLoss()(nn.Linear(20, 1)(x), torch.randint(0, 10, (32, 1)).float())) \
        == ["LL205"]


def test_label_out_of_range_is_reported_before_pytorch_raises(installed):
    x, y = _data()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(IndexError):
            nn.CrossEntropyLoss()(nn.Linear(20, 10)(x), y + 1)
    assert _codes(caught) == ["LL203"]


def test_a_loss_module_is_not_reported_again_through_its_function(installed):
    x, y = _data()
    criterion = nn.CrossEntropyLoss()
    probs = F.softmax(nn.Linear(20, 10)(x), 1)
    assert _run(lambda: [criterion(probs, y) for _ in range(3)]) == ["LL101"]


def test_loss_values_and_gradients_are_unchanged():
    def train(hooked: bool):
        if hooked:
            losslint.install()
        try:
            torch.manual_seed(0)
            model = nn.Sequential(nn.Linear(20, 16), nn.ReLU(), nn.Linear(16, 10), nn.Softmax(dim=1))
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            x, y = torch.randn(64, 20), torch.randint(0, 10, (64,))
            losses = []
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for _ in range(5):
                    optimizer.zero_grad()
                    loss = nn.CrossEntropyLoss()(model(x), y) + F.nll_loss(torch.log(model(x)), y)
                    loss.backward()
                    optimizer.step()
                    losses.append(loss.item())
            return losses, [p.detach().clone() for p in model.parameters()]
        finally:
            if hooked:
                losslint.uninstall()

    plain_losses, plain_params = train(False)
    hooked_losses, hooked_params = train(True)
    assert plain_losses == hooked_losses
    assert all(torch.equal(a, b) for a, b in zip(plain_params, hooked_params))


def test_uninstall_restores_pytorch():
    original_forward, original_function = nn.CrossEntropyLoss.forward, F.cross_entropy
    losslint.install()
    assert nn.CrossEntropyLoss.forward is not original_forward and F.cross_entropy is not original_function
    losslint.uninstall()
    assert nn.CrossEntropyLoss.forward is original_forward and F.cross_entropy is original_function


def test_inspection_runs_once_per_loss_object(installed, monkeypatch):
    calls = []
    original = torch_hook._check
    monkeypatch.setattr(torch_hook, "_check", lambda *args: calls.append(1) or original(*args))
    x, y = _data()
    criterion = nn.CrossEntropyLoss()
    logits = nn.Linear(20, 10)(x)
    for _ in range(10):
        criterion(logits, y)
    assert len(calls) == 1


def test_raise_mode_stops_before_the_loss_runs():
    x, y = _data()
    losslint.install(mode="raise")
    try:
        with pytest.raises(LossLintError, match="LL109"):
            nn.NLLLoss()(nn.Linear(20, 10)(x), y)
    finally:
        losslint.uninstall()


def test_off_mode_inspects_nothing():
    x, y = _data()
    losslint.install(mode="off")
    try:
        assert _run(lambda: nn.NLLLoss()(nn.Linear(20, 10)(x), y)) == []
    finally:
        losslint.uninstall()


def test_losslint_run_watches_pytorch(tmp_path):
    import subprocess
    import sys

    from conftest import subprocess_env

    script = tmp_path / "train.py"
    script.write_text(
        "import torch\n"
        "from torch import nn\n"
        "model = nn.Linear(20, 10)\n"
        "x, y = torch.randn(8, 20), torch.randint(0, 10, (8,))\n"
        "nn.NLLLoss()(model(x), y).backward()\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "losslint", "run", str(script)], capture_output=True, text=True,
                            env=subprocess_env(), timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "LL109" in result.stderr and "train.py:5" in result.stderr


SHAPE_OPS = {
    "squeeze(1)": lambda t: t.unsqueeze(1).squeeze(1),
    "unsqueeze": lambda t: t.unsqueeze(0),
    "view(-1, C)": lambda t: t.view(-1, 3),
    "reshape": lambda t: t.reshape(-1, 3),
    "flatten": lambda t: t.flatten(),
    "permute": lambda t: t.permute(0, 2, 1),
    "transpose": lambda t: t.transpose(1, 2),
    "contiguous": lambda t: t.transpose(1, 2).contiguous(),
    "transpose+reshape": lambda t: t.transpose(1, 2).reshape(-1, 4),
    "[:, 0]": lambda t: t[:, 0],
    "[..., 0]": lambda t: t[..., 0],
}


@pytest.mark.parametrize("op", list(SHAPE_OPS))
@pytest.mark.parametrize("activation", ["sigmoid", "softmax"])
def test_activation_is_followed_through_shape_operations(op, activation):
    logits = torch.randn(2, 4, 3, requires_grad=True)
    produced = torch.sigmoid(logits) if activation == "sigmoid" else torch.softmax(logits, dim=-1)
    found = torch_hook.grad_fn_activation(SHAPE_OPS[op](produced).grad_fn)
    if activation == "softmax" and op.startswith("["):
        assert found is None  # a selection may cut a softmax row: no longer known to be a softmax
    else:
        assert found == activation


def test_arithmetic_after_the_activation_ends_the_walk():
    probabilities = torch.sigmoid(torch.randn(4, 1, requires_grad=True))
    assert torch_hook.grad_fn_activation((probabilities * 2 - 1).squeeze(1).grad_fn) is None
    assert torch_hook.grad_fn_activation(torch.randn(4, 3).grad_fn) is None
