"""mmengine's CheckpointHook in an order that always leaves a checkpoint to resume from."""
import os
import os.path as osp

from mmengine.dist import is_main_process
from mmengine.fileio import LocalBackend
from mmengine.hooks import CheckpointHook
from mmengine.registry import HOOKS

from ...utils.io import atomic_path, atomic_write

#: message-hub key (saved in every checkpoint) of the checkpoint files this run wrote
WRITTEN = 'bdd100k_zoo_checkpoints'


@HOOKS.register_module()
class BDD100KCheckpointHook(CheckpointHook):
    """mmengine's ``CheckpointHook`` (same arguments), writing before it deletes.

    mmengine 0.10 removes the outdated checkpoint (``max_keep_ckpts``) and the
    previous best one *before* writing the new one, in place: with
    ``max_keep_ckpts=1`` a kill or a full disk during the save left no complete
    checkpoint. Here each checkpoint and ``last_checkpoint`` go to a temporary
    name and are renamed when complete, and only then are outdated ones
    removed; and only files this run wrote (in this work dir, before or after a
    resume) are ever removed. Checkpoints on a remote backend keep mmengine's
    order.
    """

    _local = False  # mmengine's behaviour until before_train finds the checkpoints local

    def before_train(self, runner) -> None:
        info = runner.message_hub.runtime_info
        self._written = set(info.get(WRITTEN, []))
        # mmengine drops the ids beyond a lowered max_keep_ckpts at once: keep
        # the bookkeeping, remove the files below (ours only)
        ids = list(info.get('keep_ckpt_ids', []))
        excess = ids[:-self.max_keep_ckpts] if 0 < self.max_keep_ckpts < len(ids) else []
        if excess:
            runner.message_hub.update_info('keep_ckpt_ids', ids[len(excess):])
        super().before_train(runner)
        self._local = self.file_client_args is None and isinstance(self.file_backend,
                                                                   LocalBackend)
        for step in excess:
            self._remove(runner, osp.join(self.out_dir, self.filename_tmpl.format(step)))

    def _save_checkpoint_with_step(self, runner, step, meta):
        if not self._local:
            return super()._save_checkpoint_with_step(runner, step, meta)
        outdated = []
        if self.max_keep_ckpts > 0 and not (self.keep_ckpt_ids
                                            and self.keep_ckpt_ids[-1] == step):
            if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
                outdated.append(self.keep_ckpt_ids.popleft())
            self.keep_ckpt_ids.append(step)
            runner.message_hub.update_info('keep_ckpt_ids', list(self.keep_ckpt_ids))
        filename = self.filename_tmpl.format(step)
        self.last_ckpt = osp.join(self.out_dir, filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)
        self._write(runner, filename, save_optimizer=self.save_optimizer,
                    save_param_scheduler=self.save_param_scheduler, meta=meta,
                    by_epoch=self.by_epoch, **self.args)
        if is_main_process():
            with atomic_write(osp.join(runner.work_dir, 'last_checkpoint')) as f:
                f.write(self.last_ckpt)
        for old in outdated:
            self._remove(runner, osp.join(self.out_dir, self.filename_tmpl.format(old)))

    def _save_best_checkpoint(self, runner, metrics) -> None:
        """mmengine's, writing the new best checkpoint before removing the old."""
        if not self.save_best or not self._local:
            return super()._save_best_checkpoint(runner, metrics)
        step = runner.epoch if self.by_epoch else runner.iter
        meta = dict(epoch=runner.epoch, iter=runner.iter)
        if 'auto' in self.key_indicators:
            self._init_rule(self.rules, [list(metrics.keys())[0]])
        single = len(self.key_indicators) == 1
        updated = False
        for key, rule in zip(self.key_indicators, self.rules):
            suffix = '' if single else f'_{key}'
            best = runner.message_hub.runtime_info.get(f'best_score{suffix}',
                                                       self.init_value_map[rule])
            if metrics[key] is None or not self.is_better_than[key](metrics[key], best):
                continue
            updated = True
            runner.message_hub.update_info(f'best_score{suffix}', metrics[key])
            old = self.best_ckpt_path if single else self.best_ckpt_path_dict[key]
            name = f'best_{key}_{self.filename_tmpl.format(step)}'.replace('/', '_')
            path = osp.join(self.out_dir, name)
            if single:
                self.best_ckpt_path = path
            else:
                self.best_ckpt_path_dict[key] = path
            runner.message_hub.update_info(f'best_ckpt{suffix}', path)
            self._write(runner, name, save_optimizer=False, save_param_scheduler=False,
                        meta=dict(meta), by_epoch=False)
            if old and old != path:
                self._remove(runner, old)
            runner.logger.info(f'The best checkpoint with {metrics[key]:0.4f} {key} at '
                               f'{step} {"epoch" if self.by_epoch else "iter"} is saved '
                               f'to {name}.')
        # as mmengine: the last checkpoint again, so that it names the new best one
        if updated and self.last_ckpt is not None:
            self._save_checkpoint_with_step(runner, step, meta)

    def _write(self, runner, filename: str, **kwargs) -> None:
        """``runner.save_checkpoint`` to a temporary name, renamed when complete."""
        path = osp.join(self.out_dir, filename)
        self._written.add(path)  # before saving: the checkpoint lists itself
        runner.message_hub.update_info(WRITTEN, sorted(self._written))
        if is_main_process():  # runner.save_checkpoint writes on the main process only
            with atomic_path(path) as tmp:
                runner.save_checkpoint(self.out_dir, osp.basename(tmp),
                                       backend_args=self.backend_args, **kwargs)

    def _remove(self, runner, path: str) -> None:
        """Remove ``path`` if this run wrote it there; anything else stays."""
        if path not in self._written or osp.normpath(osp.dirname(path)) != osp.normpath(
                self.out_dir):
            return
        self._written.discard(path)
        runner.message_hub.update_info(WRITTEN, sorted(self._written))
        if is_main_process() and osp.isfile(path):
            os.remove(path)
            runner.logger.info(f'removed the outdated checkpoint {path}')
