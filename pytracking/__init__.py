"""pytracking: the ATOM tracker, evaluation datasets, running and analysis (inference side)."""
from pytracking.libs import TensorDict, TensorList
