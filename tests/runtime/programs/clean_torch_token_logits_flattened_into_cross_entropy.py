# Clean look-alike of torch_token_softmax_flattened_into_cross_entropy.py: per-token logits
# (B, T, C) reshaped to (B*T, C); the softmax is applied only to decode.
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
        return self.classifier(hidden)


model = Tagger()
criterion = nn.CrossEntropyLoss(ignore_index=-100)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

tokens = torch.randint(0, 200, (8, 10))
tags = torch.randint(0, NUM_TAGS, (8, 10))

for step in range(3):
    optimizer.zero_grad()
    logits = model(tokens)
    loss = criterion(logits.reshape(-1, NUM_TAGS), tags.reshape(-1))
    loss.backward()
    optimizer.step()

with torch.no_grad():
    predicted = torch.softmax(model(tokens), dim=-1).argmax(-1)
