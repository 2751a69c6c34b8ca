from .base_actor import BaseActor
from .bbreg import AtomActor, AtomBBKLActor
