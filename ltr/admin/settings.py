from ltr.admin.environment import env_settings


class Settings:
    """Training settings: `env` (paths) and `use_gpu`; `run_training` and the train script add the rest."""

    def __init__(self):
        self.set_default()

    def set_default(self):
        self.env = env_settings()
        self.use_gpu = True

    def to_dict(self):
        """Plain-data view (str/number/bool/None and lists/tuples/dicts of them) stored in checkpoints, so they
        load with `weights_only=True`. `env` becomes a dict; anything else non-primitive becomes its repr."""
        return {k: _to_plain(v) for k, v in vars(self).items()}


def _to_plain(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return type(value)(_to_plain(v) for v in value)
    if isinstance(value, dict):
        return {str(k): _to_plain(v) for k, v in value.items()}
    if hasattr(value, '__dict__') and type(value).__name__ in ('EnvironmentSettings', 'EnvSettings'):
        return {k: _to_plain(v) for k, v in vars(value).items()}
    return repr(value)
