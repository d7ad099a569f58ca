# Clean look-alike of torch_sigmoid_first_column_into_bce_with_logits.py: the probability of the
# positive class, softmax(...)[:, 1], given to BCELoss, which expects probabilities. A selection
# from a softmax row is no longer a softmax row: the hook does not carry "softmax" through it.
import torch
import torch.nn as nn

model = nn.Sequential(nn.Linear(20, 16), nn.ReLU(), nn.Linear(16, 2), nn.Softmax(dim=1))
loss_fn = nn.BCELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

x = torch.randn(32, 20)
y = torch.randint(0, 2, (32,)).float()

for step in range(3):
    optimizer.zero_grad()
    positive = model(x)[:, 1]
    loss = loss_fn(positive, y)
    loss.backward()
    optimizer.step()
