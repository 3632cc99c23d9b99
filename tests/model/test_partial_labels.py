"""A source without some label (P-Stance: no neutral) trains over its own labels only."""
import torch

from stance.model.classifier import masked_cross_entropy


def test_the_missing_label_gets_no_gradient_and_the_loss_is_the_two_way_loss():
    logits = torch.tensor([[1.0, 2.0, 0.5], [0.2, 3.0, -1.0]], requires_grad=True)
    labels = torch.tensor([0, 2])  # against, favor
    mask = torch.tensor([[1, 0, 1], [1, 0, 1]])
    loss = masked_cross_entropy(logits, labels, label_mask=mask)
    loss.backward()
    assert torch.all(logits.grad[:, 1] == 0)  # neutral: not pushed down
    two_way = torch.nn.functional.cross_entropy(logits.detach()[:, [0, 2]], torch.tensor([0, 1]))
    assert torch.isclose(loss, two_way)


def test_the_naive_three_way_loss_pushes_neutral_down():
    logits = torch.tensor([[1.0, 2.0, 0.5]], requires_grad=True)
    masked_cross_entropy(logits, torch.tensor([0])).backward()
    assert logits.grad[0, 1] > 0  # gradient descent lowers the neutral logit


def test_rows_of_full_sources_are_unchanged_by_an_all_ones_mask():
    logits, labels = torch.randn(4, 3), torch.tensor([0, 1, 2, -100])
    assert torch.isclose(masked_cross_entropy(logits, labels, label_mask=torch.ones(4, 3)),
                         masked_cross_entropy(logits, labels))
