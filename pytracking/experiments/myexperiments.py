"""Example experiments for `run_experiment.py`: each function returns (list of Trackers, SequenceList)."""
from pytracking.evaluation import Tracker, get_dataset, trackerlist


def atom_nfs_uav():
    # Run three runs of ATOM on NFS and UAV datasets
    trackers = trackerlist('atom', 'default', range(3))
    dataset = get_dataset('nfs', 'uav')
    return trackers, dataset


def uav_test():
    # Run ATOM on the UAV dataset
    trackers = trackerlist('atom', 'default', range(1))
    dataset = get_dataset('uav')
    return trackers, dataset


def atom_demo():
    # Ours: ATOM with the demo parameters on the embedded demo sequences (small, runs on CPU)
    trackers = [Tracker('atom', 'demo')]
    dataset = get_dataset('demo')
    return trackers, dataset
