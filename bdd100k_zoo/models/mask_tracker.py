"""mmdet's quasi-dense tracker, carrying each tracked detection's mask along."""
import torch
from mmdet.models.trackers import QuasiDenseTracker
from mmdet.registry import MODELS
from mmengine.structures import InstanceData


@MODELS.register_module()
class QuasiDenseMaskTracker(QuasiDenseTracker):
    """:class:`~mmdet.models.trackers.QuasiDenseTracker` for a Mask R-CNN
    detector (QDTrack-MOTS): ``pred_track_instances`` also hold the
    ``masks`` of the detections they track.

    mmdet's tracker rebuilds ``pred_track_instances`` from boxes, labels,
    scores and ids only (``MaskTrackRCNNTracker`` re-indexes the masks inside
    its own ``track``). The association is left untouched here: each track's
    box is a copy of one detection's box, and no two kept detections share
    a box (duplicates, IoU 1, are removed before matching), so a box finds
    its detection, and its mask, by exact equality.
    """

    def track(self, model: torch.nn.Module, img: torch.Tensor, feats, data_sample,
              rescale: bool = True, **kwargs) -> InstanceData:
        tracks = super().track(model, img, feats, data_sample, rescale=rescale, **kwargs)
        detections = data_sample.pred_instances
        if 'masks' not in detections or 'masks' in tracks:  # no masks, or no detection
            return tracks
        same = (tracks.bboxes[:, None, :] == detections.bboxes[None, :, :]).all(-1)
        if not same.any(1).all():  # the tracker made a box: not the tracker of this class
            raise RuntimeError(f'{type(self).__name__}: a tracked box is none of the frame\'s '
                               'detections; cannot give it a mask')
        tracks.masks = detections.masks[same.to(torch.uint8).argmax(1)]
        return tracks
