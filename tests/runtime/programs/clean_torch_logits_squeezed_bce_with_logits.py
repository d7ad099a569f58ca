# Clean look-alike of torch_sigmoid_squeezed_into_bce_with_logits.py: the head returns logits
# squeezed to (B,); the sigmoid is applied only to predict.
import torch
import torch.nn as nn


class ChurnModel(nn.Module):
    def __init__(self, n_features=12):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(n_features, 32), nn.ReLU())
        self.head = nn.Linear(32, 1)

    def forward(self, x):
        return self.head(self.body(x)).squeeze(1)


model = ChurnModel()
criterion = nn.BCEWithLogitsLoss(pos_weight=torch.tensor(3.0))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

features = torch.randn(64, 12)
churned = (torch.rand(64) < 0.25).float()

for epoch in range(3):
    optimizer.zero_grad()
    loss = criterion(model(features), churned)
    loss.backward()
    optimizer.step()

with torch.no_grad():
    will_churn = torch.sigmoid(model(features)) > 0.5
