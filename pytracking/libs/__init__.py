from .tensordict import TensorDict
from .tensorlist import TensorList, tensor_operation
