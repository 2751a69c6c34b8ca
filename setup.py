"""Installs the `ltr` and `pytracking` packages and builds the PrRoIPool extension `ltr._C`.

    pip install --no-build-isolation -e .            # what the Makefile runs (torch must already be installed)

CPU kernels are always built. The CUDA kernels are added when torch is a CUDA build and nvcc is found
(CUDA_HOME), even without a GPU, so a broken .cu fails the build. Environment:
    FORCE_CUDA=1      require the CUDA kernels (still falls back to CPU-only, loudly, if nvcc is missing or
                      its major version differs from torch's CUDA)
    FORCE_CUDA=0      CPU kernels only
    TORCH_CUDA_ARCH_LIST   GPU architectures (default "8.0;9.0": A100 and H100; keeps nvcc time short)
    MAX_JOBS          parallel compile jobs (ninja)
    CUDA_HOME         the CUDA toolkit; when unset and `nvcc` on PATH is a wrapper script (e.g. /usr/local/bin/nvcc
                      -> /usr/local/cuda-13.0/bin/nvcc), the real toolkit directory is used (torch would pick
                      /usr/local, which has no libcudart, and the link would fail)
"""
import glob
import os
import re
import shutil
import subprocess
import sys

from setuptools import find_packages, setup

ROOT = os.path.dirname(os.path.abspath(__file__))
DEFAULT_ARCH_LIST = '8.0;9.0'


def _say(msg):
    print(f'[setup.py] {msg}', flush=True)


def _locate_cuda_home():
    """Set CUDA_HOME before torch.utils.cpp_extension reads it, when only a `nvcc` wrapper is on PATH.

    torch takes dirname(dirname(which nvcc)); a wrapper such as /usr/local/bin/nvcc then yields /usr/local,
    which has no libcudart and the link fails. Prefer a directory that really holds the toolkit.
    """
    if os.environ.get('CUDA_HOME') or os.environ.get('CUDA_PATH'):
        return

    def is_toolkit(d):
        return d and os.path.isfile(os.path.join(d, 'bin', 'nvcc')) and \
            os.path.isfile(os.path.join(d, 'include', 'cuda_runtime.h')) and \
            any(os.path.exists(os.path.join(d, lib, 'libcudart.so')) for lib in ('lib64', 'lib'))

    candidates = []
    nvcc = shutil.which('nvcc')
    if nvcc:
        candidates.append(os.path.dirname(os.path.dirname(nvcc)))
        try:  # a shell wrapper: `exec /path/to/cuda/bin/nvcc "$@"`
            with open(nvcc, 'r', errors='ignore') as f:
                m = re.search(r'(/\S+)/bin/nvcc', f.read(4096))
            if m:
                candidates.append(m.group(1))
        except OSError:
            pass
        candidates.append(os.path.dirname(os.path.dirname(os.path.realpath(nvcc))))
    candidates.append('/usr/local/cuda')
    for d in candidates:
        if is_toolkit(d):
            if d != candidates[0]:
                _say(f'CUDA_HOME={d} (nvcc on PATH is {nvcc})')
            os.environ['CUDA_HOME'] = d
            return


def _nvcc_version(cuda_home):
    nvcc = os.path.join(cuda_home, 'bin', 'nvcc')
    try:
        out = subprocess.run([nvcc, '--version'], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    m = re.search(r'release (\d+)\.(\d+)', out)
    return (int(m.group(1)), int(m.group(2))) if m else None


def _cuda_decision(torch, cuda_home):
    """(build_cuda, reason)."""
    force = os.environ.get('FORCE_CUDA', '').strip()
    if force == '0':
        return False, 'FORCE_CUDA=0'
    if torch.version.cuda is None:
        return False, 'torch is not a CUDA build'
    if cuda_home is None:
        return False, 'nvcc / CUDA_HOME not found'
    nvcc = _nvcc_version(cuda_home)
    if nvcc is None:
        return False, f'cannot run {cuda_home}/bin/nvcc'
    torch_major = int(torch.version.cuda.split('.')[0])
    if nvcc[0] != torch_major:
        return False, f'nvcc {nvcc[0]}.{nvcc[1]} does not match torch CUDA {torch.version.cuda} (major version)'
    why = 'FORCE_CUDA=1' if force == '1' else 'CUDA build of torch and nvcc found'
    return True, f'{why}: nvcc {nvcc[0]}.{nvcc[1]}, torch CUDA {torch.version.cuda}'


def _extensions():
    import torch
    if torch.version.cuda is not None:
        _locate_cuda_home()
    from torch.utils.cpp_extension import CUDA_HOME, CppExtension, CUDAExtension

    sources = [os.path.relpath(p, ROOT) for p in sorted(glob.glob(os.path.join(ROOT, 'csrc', '*.cpp')) +
                                                        glob.glob(os.path.join(ROOT, 'csrc', 'cpu', '*.cpp')))]
    cuda_sources = [os.path.relpath(p, ROOT) for p in sorted(glob.glob(os.path.join(ROOT, 'csrc', 'cuda', '*.cu')))]
    build_cuda, reason = _cuda_decision(torch, CUDA_HOME)
    extra = {'cxx': ['-O3']}
    link = []
    # at::parallel_for is inline OpenMP code (ATen/ParallelOpenMP.h): without -fopenmp the kernels run on one thread
    # whatever torch.set_num_threads says. torch already loads libgomp.so.1, so this adds no second runtime.
    if sys.platform.startswith('linux') and torch.backends.openmp.is_available():
        extra['cxx'].append('-fopenmp')
        link.append('-fopenmp')
    if build_cuda:
        os.environ.setdefault('TORCH_CUDA_ARCH_LIST', DEFAULT_ARCH_LIST)
        extra['nvcc'] = ['-O3']
        ext = CUDAExtension('ltr._C', sources + cuda_sources, define_macros=[('WITH_CUDA', None)],
                            extra_compile_args=extra, extra_link_args=link)
        _say(f'building ltr._C with CPU and CUDA kernels ({reason}); '
             f'TORCH_CUDA_ARCH_LIST={os.environ["TORCH_CUDA_ARCH_LIST"]}')
    else:
        if os.environ.get('FORCE_CUDA', '').strip() == '1':
            _say(f'WARNING: FORCE_CUDA=1 but the CUDA kernels cannot be built here ({reason}); building CPU only')
        ext = CppExtension('ltr._C', sources, extra_compile_args=extra, extra_link_args=link)
        _say(f'building ltr._C with CPU kernels only ({reason})')
    _say(f'torch {torch.__version__}, MAX_JOBS={os.environ.get("MAX_JOBS", "default")}')
    return [ext]


def _build_ext_class():
    from torch.utils.cpp_extension import BuildExtension
    return BuildExtension.with_options(no_python_abi_suffix=False)


setup(
    name='atom-tracking',
    version='0.1.0',
    description='ATOM visual tracker (Danelljan et al., CVPR 2019): training (ltr) and tracking (pytracking)',
    packages=find_packages(include=['ltr', 'ltr.*', 'pytracking', 'pytracking.*']),
    package_data={'ltr': ['data_specs/*.txt'], 'pytracking': ['evaluation/sequence_info/*.json']},
    python_requires='>=3.9',
    ext_modules=_extensions(),
    cmdclass={'build_ext': _build_ext_class()},
    zip_safe=False,
)
