"""The zoo's Runner: mmengine's, named by ``runner_type`` in configs/_base_/default_runtime.py.

What a run does is declared in the configs (hooks, log processor, visualizer);
this subclass holds only what must happen in code: adapting the config to a
CPU-only machine (:func:`~bdd100k_zoo.engine.runtime.prepare_config`, the CPU
process group), a quiet console, initial weights checked before anything is
built, ``--resume`` without a usable
``last_checkpoint``, one training run per work dir, and strict weights for
evaluation.
"""
import logging
import os.path as osp

from mmengine.model import BaseTTAModel, is_model_wrapper
from mmengine.registry import RUNNERS
from mmengine.runner import CheckpointLoader, Runner

from ..utils.checkpoint import CheckpointError, ensure_initial_weights, fit_weights
from .console import FileOnly
from .runtime import WorkDirLock, find_resume_checkpoint, init_cpu_distributed, prepare_config


@RUNNERS.register_module()
class BDD100KRunner(Runner):
    """mmengine's Runner, adapted to the machine and kept to its work dir."""

    _strict_load = False  # test(): a checkpoint that does not fit is an error
    _lock = None

    @classmethod
    def from_cfg(cls, cfg) -> 'BDD100KRunner':
        cfg = prepare_config(cfg, cfg.get('launcher', 'none'))
        init_cpu_distributed(cfg.launcher, cfg.get('env_cfg', {}).get('dist_cfg', {}).get(
            'backend', 'gloo'))
        return super().from_cfg(cfg)

    def build_logger(self, log_level='INFO', log_file=None, **kwargs):
        """mmengine's logger whose console leaves the config dump, environment
        and hook order to the log file, and says where that is."""
        logger = super().build_logger(log_level, log_file, **kwargs)
        for handler in logger.handlers:
            if type(handler) is logging.StreamHandler:  # the console, not the file
                handler.addFilter(FileOnly())
        logger.info('config, environment and hooks: '
                    + (log_file or osp.join(self._log_dir, f'{self.timestamp}.log')))
        return logger

    def train(self):
        if self.rank == 0:  # before resuming or writing a checkpoint; held until the end
            self._lock = WorkDirLock(self.work_dir).acquire()
        # issue #25: initial weights neither cached nor downloadable fail in one line,
        # before the datasets are built (not as a urllib traceback at weight init)
        try:
            ensure_initial_weights(self.cfg.get('model') or {})  # none for a built model
        except Exception:
            if self._lock is not None:
                self._lock.release()
            raise
        return super().train()

    def test(self) -> dict:
        self._strict_load = True
        return super().test()

    def load_or_resume(self) -> None:
        """mmengine's, where ``--resume`` without a file also resumes when
        ``last_checkpoint`` is missing, empty or names a moved file."""
        if self._resume and self._load_from is None and not self._has_loaded:
            self._load_from = find_resume_checkpoint(self.work_dir)
        super().load_or_resume()

    def load_checkpoint(self, filename, map_location='cpu', strict=False,
                        revise_keys=[(r'^module.', '')]):
        """mmengine's; for evaluation strict (its lenient load would only warn
        and score random weights), a mismatch said with the file, the config
        and the missing / unexpected / reshaped keys."""
        if not self._strict_load:
            return super().load_checkpoint(filename, map_location, strict, revise_keys)
        try:
            return super().load_checkpoint(filename, map_location, True, revise_keys)
        except CheckpointError:  # not a readable checkpoint: already named
            raise
        except RuntimeError as error:  # mmengine's "do not match exactly" (rank 0 raises it)
            model = self.model.module if is_model_wrapper(self.model) else self.model
            if isinstance(model, BaseTTAModel):  # tools/test.py --tta: its module's weights
                model = model.module
            checkpoint = CheckpointLoader.load_checkpoint(filename, map_location=map_location)
            fit_weights(model, checkpoint, filename, self.cfg.filename)  # raises, naming them
            raise error
