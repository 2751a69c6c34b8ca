"""Fixtures for the tracker tests."""
import pytest
import torch


@pytest.fixture(scope='session')
def random_atom_net():
    """A random-init ATOM ResNet-18 network (no pretrained weights exist offline), deterministic."""
    from ltr.models.bbreg.atom import atom_resnet18
    torch.manual_seed(1)
    net = atom_resnet18(backbone_pretrained=False)
    net.eval()
    return net
