"""ltr: learning tracking representations (training side of the ATOM re-implementation)."""
from ltr.admin.loading import load_network
from ltr.admin.model_constructor import model_constructor
