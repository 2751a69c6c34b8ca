"""Write a VOT toolkit workspace for the demo (used by `make vot-demo`; see INSTALL.md, section VOT).

    python pytracking/VOT/make_workspace.py --workspace workspace/vot_demo --sequences data/vot_demo/vot \
        --net-workspace workspace

writes {workspace}/config.yaml, stack.yaml (a VOT2018-style supervised baseline with resets, and the unsupervised
experiment), trackers.ini (ATOM `demo_vot` and the first box held still, filled in from
pytracking/VOT/trackers.ini's conventions) and links {workspace}/sequences to the VOT-layout sequences (their
list.txt keeps the toolkit from downloading anything). Exits with status 1 and one line when the demo network
is missing (train it with `make demo`).
"""
import argparse
import glob
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

CONFIG = """registry:
- ./trackers.ini
stack: ./stack.yaml
"""

# VOT2018's baseline (supervised: reset 5 frames after a failure; accuracy/robustness with sensitivity 30; EAO) and
# unsupervised (one pass, average overlap) experiments. Differences, for the 44-60-frame demo sequences: one
# repetition (VOT2018: 15, of which the toolkit keeps 3 for a deterministic tracker; both trackers are
# deterministic here: ATOM's demo_vot is seeded) and the EAO interval [low, high] scaled to the sequence lengths
# (VOT2018: 100-356).
STACK = """title: VOT2018-style short-term stack on the embedded demo sequences
experiments:
  baseline:
    type: supervised
    repetitions: 1
    skip_initialize: 5
    analyses:
      - type: supervised_average_ar
        sensitivity: 30
      - type: supervised_eao_score
        low: {low}
        high: {high}
  unsupervised:
    type: unsupervised
    repetitions: 1
    analyses:
      - type: average_accuracy
"""

TRACKERS = """[ATOM]
label = ATOM demo_vot
protocol = traxpython
command = import pytracking.run_vot as run_vot; run_vot.run_vot('atom', '{atom_param}')
paths = {repo}
python = {python}
env_LTR_WORKSPACE_DIR = {net_workspace}
env_OMP_NUM_THREADS = {threads}
timeout = 300

[FirstBox]
label = FirstBox
protocol = traxpython
command = import pytracking.run_vot as run_vot; run_vot.run_vot('firstbox', 'default')
paths = {repo}
python = {python}
timeout = 300
"""


def _sequence_lengths(sequences):
    lengths = []
    with open(os.path.join(sequences, 'list.txt')) as f:
        for name in f.read().split():
            with open(os.path.join(sequences, name, 'groundtruth.txt')) as g:
                lengths.append(sum(1 for line in g if line.strip()))
    return lengths


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--workspace', required=True)
    parser.add_argument('--sequences', required=True, help='VOT-layout sequences with a list.txt')
    parser.add_argument('--net-workspace', required=True, help='ltr workspace holding checkpoints/ltr/bbreg/atom_demo')
    parser.add_argument('--python', default=sys.executable, help='python that runs the trackers (ours)')
    parser.add_argument('--atom-param', default='demo_vot')
    parser.add_argument('--threads', type=int, default=2)
    args = parser.parse_args(argv)

    ws, seqs = os.path.abspath(args.workspace), os.path.abspath(args.sequences)
    net_ws = os.path.abspath(args.net_workspace)
    if not os.path.isfile(os.path.join(seqs, 'list.txt')):
        sys.exit('make_workspace: {} has no list.txt (python -m ltr.dataset.demo_data --datasets vot)'.format(seqs))
    net_dir = os.path.join(net_ws, 'checkpoints', 'ltr', 'bbreg', 'atom_demo')
    if args.atom_param == 'demo_vot' and not glob.glob(os.path.join(net_dir, '*.pth.tar')):
        sys.exit('make_workspace: no demo network (*.pth.tar) in {}: train it with `make demo` first, or point '
                 'LTR_WORKSPACE_DIR at a workspace that has one'.format(net_dir))

    lengths = _sequence_lengths(seqs)
    # EAO interval: most sequences are at least `low` frames long, `high` is about the longest.
    low, high = max(5, int(0.3 * min(lengths))), max(lengths)
    os.makedirs(ws, exist_ok=True)
    with open(os.path.join(ws, 'config.yaml'), 'w') as f:
        f.write(CONFIG)
    with open(os.path.join(ws, 'stack.yaml'), 'w') as f:
        f.write(STACK.format(low=low, high=high))
    with open(os.path.join(ws, 'trackers.ini'), 'w') as f:
        f.write(TRACKERS.format(repo=REPO, python=os.path.abspath(args.python), net_workspace=net_ws,
                                atom_param=args.atom_param, threads=args.threads))
    link = os.path.join(ws, 'sequences')
    if os.path.islink(link):
        os.remove(link)
    if os.path.exists(link):
        sys.exit('make_workspace: {} exists and is not a link: remove it'.format(link))
    os.symlink(seqs, link)
    print('VOT workspace {}: {} sequences ({}-{} frames), EAO interval {}-{}, network {}'.format(
        ws, len(lengths), min(lengths), max(lengths), low, high, net_dir))
    return 0


if __name__ == '__main__':
    sys.exit(main())
