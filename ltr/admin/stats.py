class StatValue:
    """The latest value of a statistic, plus its history."""

    def __init__(self):
        self.clear()

    def reset(self):
        self.val = 0

    def clear(self):
        self.reset()
        self.history = []

    def update(self, val):
        self.val = val
        self.history.append(self.val)


class AverageMeter(object):
    """Weighted running mean over an epoch; `new_epoch()` stores the epoch's mean in `history`."""

    def __init__(self):
        self.clear()
        self.has_new_data = False

    def reset(self):
        self.avg = 0
        self.val = 0
        self.sum = 0
        self.count = 0

    def clear(self):
        self.reset()
        self.history = []

    def update(self, val, n=1):
        self.val = val
        self.sum += val * n
        self.count += n
        self.avg = self.sum / self.count

    def new_epoch(self):
        if self.count > 0:
            self.history.append(self.avg)
            self.reset()
            self.has_new_data = True
        else:
            self.has_new_data = False


# Kept for pytracking API compatibility; not on ATOM's path.
def topk_accuracy(output, target, topk=(1,)):
    """Top-k accuracy in percent for each k (not used by ATOM; kept for API compatibility)."""
    single_input = not isinstance(topk, (tuple, list))
    if single_input:
        topk = (topk,)
    maxk = max(topk)
    batch_size = target.size(0)
    _, pred = output.topk(maxk, 1, True, True)
    pred = pred.t()
    correct = pred.eq(target.view(1, -1).expand_as(pred))
    res = []
    for k in topk:
        correct_k = correct[:k].reshape(-1).float().sum(0, keepdim=True)[0]
        res.append(correct_k * 100.0 / batch_size)
    return res[0] if single_input else res
