"""What every zoo metric shares: the official names under ``bdd100k/``, its
inputs checked when the Runner builds it (before training or inference, not
at the first validation hours later), and a submission that never costs the
scores."""
import os.path as osp
from typing import List, Optional, Tuple

from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from ...utils.io import check_prefix, check_writable

#: ``evaluate()`` / ``runner.test()`` keys are ``bdd100k/<official name>``
METRIC_PREFIX = 'bdd100k'


class BDD100KMetric(BaseMetric):
    """The constructor and submission handling of the BDD100K metrics.

    Args:
        ann_file: Scalabel ground truth (a JSON file, or a folder of them).
            Not needed with ``format_only``.
        format_only: only write the submission (test split, no labels).
        outfile_prefix: where the submission goes (each metric says which
            files); required with ``format_only``, optional on val. Checked
            for writability here; a write that fails at the end is logged and
            kept in ``submission_error`` while the scores are still returned.
        nproc: processes of Scalabel's evaluation (each metric says how it uses them).
        collect_device / prefix: as in :class:`mmengine.evaluator.BaseMetric`.
    """

    task: str
    default_prefix: Optional[str] = METRIC_PREFIX
    #: False where ground truth comes with the data samples (semantic segmentation)
    reads_ann_file = True

    def __init__(self,
                 ann_file: Optional[str] = None,
                 format_only: bool = False,
                 outfile_prefix: Optional[str] = None,
                 nproc: int = 0,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        name = type(self).__name__
        if format_only and not outfile_prefix:
            raise ValueError(f'{name}: format_only=True needs outfile_prefix to know where to '
                             'write the submission')
        if self.reads_ann_file and not format_only:
            if not ann_file:
                raise ValueError(f'{name}: ann_file is needed to compute scores (or set '
                                 'format_only=True for the test split)')
            if not osp.exists(ann_file):
                raise FileNotFoundError(
                    f'{name}: ground truth ann_file={ann_file!r} does not exist (move all data '
                    'paths with --data-root DIR, or set the evaluator\'s ann_file)')
        self.ann_file = ann_file
        self.format_only = format_only
        self.outfile_prefix = outfile_prefix
        self.nproc = nproc
        #: why the submission could not be written (the scores are still returned)
        self.submission_error: Optional[str] = None
        if outfile_prefix:  # before inference, not after it
            check_prefix(outfile_prefix)
            check_writable(*self.output_targets())

    def output_targets(self) -> Tuple[List[str], List[str]]:
        """(files, folders) the submission writes."""
        return [f'{self.outfile_prefix}.json'], []

    def write_submission(self, *args, **kwargs) -> str:
        raise NotImplementedError

    def try_write_submission(self, *args, **kwargs) -> None:
        """:meth:`write_submission`; if that fails (full disk, ...), log why and
        keep going, so the scores of the whole inference are not lost."""
        self.submission_error = None
        try:
            self.write_submission(*args, **kwargs)
        except OSError as e:
            self.submission_error = f'the submission could not be written to ' \
                f'{self.outfile_prefix}: {e}'
            MMLogger.get_current_instance().error(f'{type(self).__name__}: '
                                                  f'{self.submission_error}')
            if self.format_only:
                raise
