"""Check, before any dataset is opened, that the directories a train setting needs are configured."""
import os


class MissingDatasetSettingsError(RuntimeError):
    """Raised by a train setting whose dataset paths are unset or wrong; run_training prints it without a
    traceback."""


def require_dataset_dirs(settings, *attributes):
    """Raise MissingDatasetSettingsError naming every `settings.env.<attribute>` that is empty or not a
    directory (each can be set in ltr/admin/local.py or with the env var LTR_<ATTRIBUTE>)."""
    problems = []
    for name in attributes:
        value = getattr(settings.env, name, None)
        if not value:
            problems.append('  settings.env.{} is not set (set it in ltr/admin/local.py or export LTR_{}=<path>)'
                            .format(name, name.upper()))
        elif not os.path.isdir(value):
            problems.append('  settings.env.{} = {!r} is not a directory'.format(name, value))
    if problems:
        raise MissingDatasetSettingsError(
            'Train setting {}/{} needs these dataset paths:\n{}'.format(
                getattr(settings, 'module_name', '?'), getattr(settings, 'script_name', '?'), '\n'.join(problems)))
