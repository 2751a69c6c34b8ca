"""Where inference runs: the device policy of the tracker and its features (ours; pytracking read use_gpu in
several places and crashed on a CPU-only machine unless every one was edited)."""
import torch

_said_cpu_fallback = False   # the CPU fallback is announced once per process


def select_device(use_gpu):
    """'cuda' when asked for and available; otherwise 'cpu' (saying so once per process when CUDA was asked for)."""
    global _said_cpu_fallback
    if use_gpu and torch.cuda.is_available():
        return 'cuda'
    if use_gpu and not _said_cpu_fallback:
        print('pytracking: use_gpu=True but CUDA is not available; running on the CPU.')
        _said_cpu_fallback = True
    return 'cpu'
