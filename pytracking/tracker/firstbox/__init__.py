from .firstbox import FirstBox


def get_tracker_class():
    return FirstBox
