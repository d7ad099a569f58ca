# PyTorch token classification: a softmax over the tags of each token, (B, T, C) reshaped to
# (B*T, C) for CrossEntropyLoss, which applies log_softmax itself: a double softmax (PyTorch
# says nothing; the loss plateaus). losslint: LL101, through the view.
import torch
import torch.nn as nn

NUM_TAGS = 5


class Tagger(nn.Module):
    def __init__(self, vocab=200, dim=16):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.rnn = nn.GRU(dim, dim, batch_first=True)
        self.classifier = nn.Linear(dim, NUM_TAGS)

    def forward(self, tokens):
        hidden, _ = self.rnn(self.embed(tokens))
        return torch.softmax(self.classifier(hidden), dim=-1)


model = Tagger()
criterion = nn.CrossEntropyLoss(ignore_index=-100)  # expect: LL101
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

tokens = torch.randint(0, 200, (8, 10))
tags = torch.randint(0, NUM_TAGS, (8, 10))

for step in range(3):
    optimizer.zero_grad()
    probs = model(tokens)
    loss = criterion(probs.view(-1, NUM_TAGS), tags.view(-1))
    loss.backward()
    optimizer.step()
