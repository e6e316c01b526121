"""Hooks the zoo's tools add to every run."""
import random

import numpy as np
import torch
from mmengine.hooks import Hook
from mmengine.registry import HOOKS


@HOOKS.register_module()
class RandomStateHook(Hook):
    """Keeps the random number generators in the checkpoint, so resume is exact.

    mmengine re-seeds a resumed run but does not restore the generators'
    positions, so the flips and RoI samples after a resume differ from the
    uninterrupted run. This hook saves the Python, numpy and torch (CPU and
    CUDA) states with each checkpoint and puts them back right before a
    resumed run trains. Dataloader worker processes seed themselves; with
    ``num_workers > 0`` their augmentation streams restart on resume.
    """

    priority = 'VERY_LOW'

    def __init__(self) -> None:
        self._resumed_state = None

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint['random_state'] = dict(
            python=random.getstate(), numpy=np.random.get_state(),
            torch=torch.get_rng_state(),
            cuda=torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [])

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        self._resumed_state = checkpoint.get('random_state')

    def before_train(self, runner) -> None:
        # Only a resumed run starts past iteration 0; `load_from` (fine-tuning)
        # keeps its own fresh seed.
        state, self._resumed_state = self._resumed_state, None
        if state is None or runner.iter == 0:
            return
        random.setstate(state['python'])
        np.random.set_state(state['numpy'])
        torch.set_rng_state(state['torch'])
        if state['cuda'] and torch.cuda.device_count() == len(state['cuda']):
            torch.cuda.set_rng_state_all(state['cuda'])
