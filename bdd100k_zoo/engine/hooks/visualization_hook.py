"""mmdet's tracking visualization hook, painting each video into its own folder."""
import os
import os.path as osp

import mmcv
from mmdet.engine.hooks import TrackVisualizationHook
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
