"""Fault-injection and fuzz tests (issue 14): bad tracker input, training crashes, bad training data, evaluation
faults, damaged checkpoints, CLI errors. Everything here is small and runs in the default suite. Helpers are in
faults_helpers.py."""
import os
import sys

import pytest
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faults_helpers  # noqa: E402,F401  (puts tests/tracker and tests/train on sys.path)


@pytest.fixture
def one_thread():
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)
