"""mmdet's visualization hooks (``tools/test.py --show-dir``), painting frames of one
name in two folders (videos) apart, each painting renamed when complete."""
import os
import os.path as osp

import mmcv
from mmdet.engine.hooks import DetVisualizationHook, TrackVisualizationHook
from mmdet.registry import HOOKS
from mmengine.fileio import get

from ...utils.io import atomic_path


@HOOKS.register_module()
class BDD100KTrackVisualizationHook(TrackVisualizationHook):
    """mmdet's ``TrackVisualizationHook`` (``tools/test.py --show-dir``), painting
    a frame to ``<test_out_dir>/<video>/<frame name>``, the video being the
    frame's folder (BDD100K's ``images/track/<split>/<video>/<name>``).

    mmdet's paints to ``<test_out_dir>/<split>/<frame name>``: frames of one
    name in two videos overwrote each other. Each painting is written to a
    temporary name and renamed when complete."""

    def visualize_single_image(self, img_data_sample, step: int) -> None:
        img_path = img_data_sample.img_path
        img = mmcv.imfrombytes(get(img_path, backend_args=self.backend_args),
                               channel_order='rgb')
        name = osp.basename(img_path)
        kwargs = dict(data_sample=img_data_sample, show=self.show, wait_time=self.wait_time,
                      pred_score_thr=self.score_thr, step=step)
        if self.test_out_dir is None:
            self._visualizer.add_datasample(name if self.show else 'test_img', img, **kwargs)
            return
        out_file = osp.join(self.test_out_dir, osp.basename(osp.dirname(img_path)), name)
        os.makedirs(osp.dirname(out_file), exist_ok=True)
        with atomic_path(out_file) as tmp:
            self._visualizer.add_datasample(name if self.show else 'test_img', img,
                                            out_file=tmp, **kwargs)


@HOOKS.register_module()
class BDD100KDetVisualizationHook(DetVisualizationHook):
    """mmdet's ``DetVisualizationHook``, painting a test image to its path below
    the dataset's image folder, under ``test_out_dir`` (``<name>`` for BDD100K's
    flat folders, ``<video>/<name>`` for frames of videos).

    mmdet's paints to ``<test_out_dir>/<name>``: frames of one name in two
    videos (a folder of per-video label files) overwrote each other."""

    def after_test_iter(self, runner, batch_idx: int, data_batch: dict, outputs) -> None:
        if self.draw is False or self.test_out_dir is None:
            return super().after_test_iter(runner, batch_idx, data_batch, outputs)
        self.test_out_dir = osp.join(runner.work_dir, runner.timestamp, self.test_out_dir)
        root = (getattr(runner.test_dataloader.dataset, 'data_prefix', None) or {}).get('img')
        for data_sample in outputs:
            self._test_index += 1
            img_path = data_sample.img_path
            name = osp.relpath(img_path, root) if root else osp.basename(img_path)
            if name.startswith(os.pardir):  # not below the image folder
                name = osp.basename(img_path)
            out_file = osp.join(self.test_out_dir, name)
            os.makedirs(osp.dirname(out_file), exist_ok=True)
            img = mmcv.imfrombytes(get(img_path, backend_args=self.backend_args),
                                   channel_order='rgb')
            with atomic_path(out_file) as tmp:
                self._visualizer.add_datasample(
                    osp.basename(img_path) if self.show else 'test_img', img,
                    data_sample=data_sample, show=self.show, wait_time=self.wait_time,
                    pred_score_thr=self.score_thr, out_file=tmp, step=self._test_index)
