"""Pack TrackingNet test results into the zip the evaluation server expects.

    python pytracking/util_scripts/pack_trackingnet_results.py atom default --run_id 0

Zip content: `{seq}.txt` with comma-separated boxes (`%.2f`). Written to
`{tn_packed_results_path}/{output_name}.zip` (default name `{tracker}_{param}[_{run_id:03d}]`).
"""
import os
import sys
import tempfile

import numpy as np

env_path = os.path.join(os.path.dirname(__file__), '..', '..')
if env_path not in sys.path:
    sys.path.insert(0, os.path.abspath(env_path))

from pytracking.evaluation.datasets import get_dataset  # noqa: E402
from pytracking.evaluation.environment import env_settings  # noqa: E402
from pytracking.util_scripts.pack_got10k_results import _make_zip, _packed_root  # noqa: E402


def pack_trackingnet_results(tracker_name, param_name, run_id=None, output_name=None):
    settings = env_settings()
    if output_name is None:
        output_name = '{}_{}'.format(tracker_name, param_name) + ('' if run_id is None else '_{:03d}'.format(run_id))
    zip_path = os.path.join(_packed_root(settings, 'tn_packed_results_path'), output_name + '.zip')
    run_dir = '{}/{}/{}'.format(settings.results_path, tracker_name, param_name) + (
        '' if run_id is None else '_{:03d}'.format(run_id))
    with tempfile.TemporaryDirectory() as tmp:
        for seq in get_dataset('trackingnet'):
            src = '{}/{}.txt'.format(run_dir, seq.name)
            if not os.path.isfile(src):
                raise FileNotFoundError('Result file {} is missing'.format(src))
            results = np.loadtxt(src, dtype=np.float64, delimiter='\t', ndmin=2)
            np.savetxt('{}/{}.txt'.format(tmp, seq.name), results, delimiter=',', fmt='%.2f')
        return _make_zip(tmp, zip_path)


def main():
    import argparse
    parser = argparse.ArgumentParser(description='Pack TrackingNet test results for the evaluation server.')
    parser.add_argument('tracker_name')
    parser.add_argument('tracker_param')
    parser.add_argument('--run_id', type=int, default=None)
    parser.add_argument('--output_name', default=None)
    args = parser.parse_args()
    print('Wrote {}'.format(pack_trackingnet_results(args.tracker_name, args.tracker_param, args.run_id,
                                                     args.output_name)))


if __name__ == '__main__':
    main()
