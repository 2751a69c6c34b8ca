"""Pack GOT-10k test results (run ids 0, 1, 2) into the zip the evaluation server expects.

    python pytracking/util_scripts/pack_got10k_results.py atom default atom_default_got

Zip content: `{seq}/{seq}_001.txt .. {seq}_003.txt` (comma-separated boxes, `%f`) and `{seq}/{seq}_time.txt`
(from the last run, as pytracking). Written to `{got_packed_results_path}/{output_name}.zip`.
"""
import os
import shutil
import sys
import tempfile

import numpy as np

env_path = os.path.join(os.path.dirname(__file__), '..', '..')
if env_path not in sys.path:
    sys.path.insert(0, os.path.abspath(env_path))

from pytracking.evaluation.datasets import get_dataset  # noqa: E402
from pytracking.evaluation.environment import env_settings  # noqa: E402


def _make_zip(src_dir, zip_path):
    """Zip `src_dir` into `zip_path` atomically (temporary name, then rename)."""
    os.makedirs(os.path.dirname(os.path.abspath(zip_path)), exist_ok=True)
    tmp_base = zip_path[:-4] + '.tmp'
    archive = shutil.make_archive(tmp_base, 'zip', src_dir)
    os.replace(archive, zip_path)
    return zip_path


def _packed_root(settings, attr):
    root = getattr(settings, attr, '')
    if not root:
        raise RuntimeError('{} is not set: set it in pytracking/evaluation/local.py or with PYTRACKING_{}'
                           .format(attr, attr.upper()))
    return root


def pack_got10k_results(tracker_name, param_name, output_name, run_ids=(0, 1, 2)):
    """Pack results of runs `run_ids` (three runs, as the server expects) of tracker/param on got10k_test."""
    settings = env_settings()
    zip_path = os.path.join(_packed_root(settings, 'got_packed_results_path'), output_name + '.zip')
    results_path = settings.results_path
    run_dirs = ['{}/{}/{}_{:03d}'.format(results_path, tracker_name, param_name, r) for r in run_ids]
    missing = [d for d in run_dirs if not os.path.isdir(d)]
    if missing:
        raise FileNotFoundError('Missing result folders (run the tracker with --runid): {}'.format(', '.join(missing)))

    with tempfile.TemporaryDirectory() as tmp:
        for seq in get_dataset('got10k_test'):
            os.makedirs(os.path.join(tmp, seq.name), exist_ok=True)
            for idx, run_dir in enumerate(run_dirs):
                res = np.loadtxt('{}/{}.txt'.format(run_dir, seq.name), dtype=np.float64, delimiter='\t', ndmin=2)
                times = np.loadtxt('{}/{}_time.txt'.format(run_dir, seq.name), dtype=np.float64, ndmin=1)
                np.savetxt('{}/{}/{}_{:03d}.txt'.format(tmp, seq.name, seq.name, idx + 1), res, delimiter=',',
                           fmt='%f')
                np.savetxt('{}/{}/{}_time.txt'.format(tmp, seq.name, seq.name), times, fmt='%f')
        return _make_zip(tmp, zip_path)


def main():
    import argparse
    parser = argparse.ArgumentParser(description='Pack GOT-10k test results for the evaluation server.')
    parser.add_argument('tracker_name')
    parser.add_argument('tracker_param')
    parser.add_argument('output_name')
    args = parser.parse_args()
    print('Wrote {}'.format(pack_got10k_results(args.tracker_name, args.tracker_param, args.output_name)))


if __name__ == '__main__':
    main()
