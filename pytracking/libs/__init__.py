from .tensorlist import TensorList, tensor_operation
from .tensordict import TensorDict
