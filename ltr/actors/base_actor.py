"""Actor: runs the network on a training batch and computes the loss."""


class BaseActor:
    """args:
        net - the network to train.
        objective - the loss function.
    """

    def __init__(self, net, objective):
        self.net = net
        self.objective = objective

    def __call__(self, data):
        """Run the network on `data` (a TensorDict batch) and return (loss, stats dict of floats)."""
        raise NotImplementedError

    def to(self, device):
        self.net.to(device)

    def train(self, mode=True):
        self.net.train(mode)

    def eval(self):
        self.train(False)
