# PyTorch: a (B, 1) sigmoid output indexed with [:, 0] before BCEWithLogitsLoss, which applies
# its own sigmoid (PyTorch says nothing). losslint: LL101, through the indexing.
import torch
import torch.nn as nn

model = nn.Sequential(nn.Linear(20, 16), nn.ReLU(), nn.Linear(16, 1), nn.Sigmoid())
loss_fn = nn.BCEWithLogitsLoss()  # expect: LL101
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

x = torch.randn(32, 20)
y = torch.randint(0, 2, (32,)).float()

for step in range(3):
    optimizer.zero_grad()
    scores = model(x)
    loss = loss_fn(scores[:, 0], y)
    loss.backward()
    optimizer.step()
