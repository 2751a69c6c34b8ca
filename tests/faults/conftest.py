"""Fault-injection and fuzz tests (issue 14): bad tracker input, training crashes, bad training data, evaluation
faults, damaged checkpoints, CLI errors. Everything here is small and runs in the default suite. Helpers are in
faults_helpers.py."""
import pytest
import torch


@pytest.fixture
def one_thread():
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)
