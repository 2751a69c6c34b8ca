"""Process-group helpers for multi-process (torch.distributed) data-parallel training.

One process per device, started by `torchrun` (or `ltr/run_training.py --nproc N`), which sets the environment
variables RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT. Without them (a plain `python` run)
everything here answers as for a single process: rank 0 of a world of 1, and the collectives are no-ops.
(pytracking only had single-process nn.DataParallel, ltr/admin/multigpu.py.)
"""
import datetime
import os

import torch
import torch.distributed as dist


def is_distributed():
    """True when a process group with more than one process is initialised."""
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def get_rank():
    return dist.get_rank() if dist.is_available() and dist.is_initialized() else 0


def get_world_size():
    return dist.get_world_size() if dist.is_available() and dist.is_initialized() else 1


def get_local_rank():
    """The process's index on its machine (torchrun's LOCAL_RANK; 0 when not launched by torchrun)."""
    return int(os.environ.get('LOCAL_RANK', 0))


def is_main_process():
    """Rank 0 prints, writes checkpoints and TensorBoard events."""
    return get_rank() == 0


def launched_distributed():
    """True when the environment asks for more than one process (WORLD_SIZE > 1, as torchrun sets it)."""
    return int(os.environ.get('WORLD_SIZE', 1)) > 1


def default_backend():
    return 'nccl' if torch.cuda.is_available() else 'gloo'


def init_distributed(backend=None, timeout_s=None):
    """Initialise the default process group from torchrun's environment variables (env:// rendezvous).

    Returns True if this call initialised it; False when WORLD_SIZE is unset or 1, or a group already exists
    (then the caller owns it). On CUDA the process's device is set to cuda:LOCAL_RANK before initialising.
    timeout_s: how long a collective may wait for the other ranks (None: torch's default, 10-30 min).
    """
    if not launched_distributed() or not dist.is_available() or dist.is_initialized():
        return False
    backend = backend or default_backend()
    if backend == 'nccl':
        torch.cuda.set_device(get_local_rank())
    kwargs = {} if timeout_s is None else {'timeout': datetime.timedelta(seconds=timeout_s)}
    dist.init_process_group(backend=backend, init_method='env://',
                            rank=int(os.environ['RANK']), world_size=int(os.environ['WORLD_SIZE']), **kwargs)
    return True


def cleanup():
    """Destroy the default process group (no-op if there is none)."""
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def barrier():
    if is_distributed():
        dist.barrier()


def _collective_device():
    """Tensors for collectives live on the current CUDA device under NCCL, on the CPU otherwise."""
    if dist.get_backend() == 'nccl':
        return torch.device('cuda', torch.cuda.current_device())
    return torch.device('cpu')


def all_reduce_mean(value):
    """The mean of the float `value` over all ranks (the value itself when not distributed).
    Every rank must call it (a collective)."""
    if not is_distributed():
        return float(value)
    t = torch.tensor([float(value)], dtype=torch.float64, device=_collective_device())
    dist.all_reduce(t, op=dist.ReduceOp.SUM)
    return t.item() / get_world_size()


def all_reduce_sum(values):
    """Element-wise sum over all ranks of a list of floats (returned as a list). A collective."""
    values = [float(v) for v in values]
    if not is_distributed() or not values:
        return values
    t = torch.tensor(values, dtype=torch.float64, device=_collective_device())
    dist.all_reduce(t, op=dist.ReduceOp.SUM)
    return t.tolist()


def broadcast_int(value, src=0):
    """`value` of rank `src` on every rank. A collective."""
    if not is_distributed():
        return int(value)
    t = torch.tensor([int(value)], dtype=torch.int64, device=_collective_device())
    dist.broadcast(t, src=src)
    return int(t.item())
