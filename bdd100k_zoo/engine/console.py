"""What the tools print: the run, not its paperwork.

mmengine's Runner logs the whole config, the system environment and the hook
order (hundreds of lines) before anything happens, and the metrics of an
evaluation as one line with every per-class score (1,800 characters for
tracking). :class:`FileOnly` keeps the former in the log file only
(:class:`~bdd100k_zoo.engine.runner.BDD100KRunner` sets it on its console
handler); :class:`BDD100KLogProcessor` keeps the per-class scores off the
summary line: the metrics log Scalabel's own result tables, and
``tools/test.py`` writes every score to ``scores.json``.
"""
import logging
import warnings
from typing import Tuple

from mmengine.registry import LOG_PROCESSORS
from mmengine.runner import LogProcessor

# the starts of the Runner's messages that go to the log file only (with mmengine's
# deprecation notices about the FileClient the stock mmseg / mmdet hooks still build)
FILE_ONLY = ('Config:\n', 'Hooks will be executed in the following order',
             '\n' + '-' * 60 + '\nSystem environment:', '"FileClient" will be deprecated',
             '"HardDiskBackend" is the alias of "LocalBackend"')

# Python warnings the stack raises inside its own code on every run, about that code
# (nothing a user of the zoo can act on)
STACK_WARNINGS = (
    'The draw is False, it means that the hook for visualization will not take effect',
    'DeprecationWarning: pos_bboxes is deprecated', 'DeprecationWarning: bboxes is deprecated',
    'torch.meshgrid: in an upcoming release',
    r'`torch.cuda.amp.autocast\(args...\)` is deprecated',
    # mmseg's own decode heads build their losses so, with the stock configs' loss settings
    '``build_loss`` would be deprecated soon', 'Default ``avg_non_ignore`` is False',
)


def quiet_stack_warnings() -> None:
    """Hide :data:`STACK_WARNINGS` in this process: the tools call it (importing
    the package changes no warning filter beyond its own import's)."""
    for message in STACK_WARNINGS:
        warnings.filterwarnings('ignore', message=message)


class FileOnly(logging.Filter):
    """A console handler's filter: the config dump, environment and hook order stay out."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.startswith(FILE_ONLY))


def _name(item: str, mode: str) -> str:
    name = item.partition(': ')[0]
    return name[len(mode) + 1:] if name.startswith(f'{mode}/') else name


@LOG_PROCESSORS.register_module()
class BDD100KLogProcessor(LogProcessor):
    """mmengine's ``LogProcessor`` whose val / test line shows the summary
    metrics only (``bdd100k/mMOTA``, not ``bdd100k/MOTA/car``); the returned
    tag (log file JSON, visualizer backends) keeps every score."""

    def get_log_after_epoch(self, runner, batch_idx: int, mode: str,
                            with_non_scalar: bool = False) -> Tuple[dict, str]:
        tag, log_str = super().get_log_after_epoch(runner, batch_idx, mode, with_non_scalar)
        head, sep, items = log_str.partition('    ')
        kept = [item for item in items.split('  ')
                if _name(item, mode).count('/') < 2]
        return tag, head + sep + '  '.join(kept)
