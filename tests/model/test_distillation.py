"""The distillation loss (stance.model.losses.distillation_loss): gold cross-entropy mixed with a teacher."""
import torch

from stance.model.losses import distillation_loss, masked_cross_entropy


def test_a_one_hot_teacher_gives_the_gold_cross_entropy_with_and_without_class_weights():
    torch.manual_seed(0)
    logits, labels = torch.randn(6, 3), torch.tensor([0, 1, 2, 2, -100, 0])
    one_hot = torch.nn.functional.one_hot(labels.clamp_min(0), 3).float()
    weights = torch.tensor([0.5, 2.0, 1.3])
    for weight in (None, weights):
        for teacher_weight in (0.0, 0.5, 1.0):
            assert torch.isclose(distillation_loss(logits, labels, one_hot, teacher_weight, weight),
                                 masked_cross_entropy(logits, labels, weight))


def test_a_pair_the_teacher_did_not_score_learns_from_its_gold_label_alone():
    logits, labels = torch.tensor([[0.3, -1.0, 2.0]]), torch.tensor([1])
    unscored = torch.full((1, 3), float("nan"))
    assert torch.isclose(distillation_loss(logits, labels, unscored, 0.7), masked_cross_entropy(logits, labels))


def test_the_teacher_pulls_the_student_toward_its_probabilities():
    logits = torch.zeros(1, 3, requires_grad=True)
    teacher = torch.tensor([[0.1, 0.8, 0.1]])
    distillation_loss(logits, torch.tensor([0]), teacher, teacher_weight=1.0).backward()
    assert logits.grad[0, 1] < 0 < logits.grad[0, 0]  # descent raises neutral, lowers against
    assert torch.isclose(distillation_loss(torch.log(teacher), torch.tensor([0]), teacher, 1.0),
                         -(teacher * torch.log(teacher)).sum())  # at the teacher: its entropy


def test_a_label_mask_keeps_the_missing_label_out_and_the_loss_finite():
    logits = torch.tensor([[1.0, 2.0, 0.5]], requires_grad=True)
    teacher, mask = torch.tensor([[0.2, 0.6, 0.2]]), torch.tensor([[1, 0, 1]])
    loss = distillation_loss(logits, torch.tensor([2]), teacher, 0.5, label_mask=mask)
    loss.backward()
    assert torch.isfinite(loss) and logits.grad[0, 1] == 0
    # the teacher's against/favor renormalised to 0.5/0.5, mixed half and half with favor
    two_way = torch.log_softmax(logits.detach()[:, [0, 2]], 1)[0]
    assert torch.isclose(loss, -(0.25 * two_way[0] + 0.75 * two_way[1]))
