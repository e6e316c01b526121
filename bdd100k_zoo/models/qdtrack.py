"""QDTrack for BDD100K's 8 classes, on a two-stage or a one-stage detector.

mmdet 3.x's :class:`~mmdet.models.mot.QDTrack` was written for one-class
MOT17: its ``loss`` zeroes the key frame's ground-truth labels in place for
the RPN, so the RoI head also trains on class 0 only
(open-mmlab/mmdetection#11409), and it calls ``rpn_head`` / ``roi_head``
directly, so it only takes two-stage detectors. The two classes here change
exactly that and keep mmdet's tracker, track head and video test loop.
Both also take the reference frame's proposals with the training settings.
"""
import copy
from typing import List, Optional

import torch
from mmcv.ops import batched_nms
from mmdet.models.mot import QDTrack
from mmdet.registry import MODELS
from mmdet.structures import TrackSampleList
from mmengine.config import ConfigDict
from mmengine.structures import InstanceData
from torch import Tensor


def _key_and_ref_frames(inputs: Tensor, data_samples: TrackSampleList):
    """Key / reference images and their DetDataSamples of a batch of pairs."""
    assert inputs.dim() == 5 and inputs.size(1) == 2, \
        'QDTrack trains on pairs: inputs must be (N, 2, C, H, W)'
    key_inds = torch.tensor([s.key_frames_inds[0] for s in data_samples], dtype=torch.int64)
    ref_inds = torch.tensor([s.ref_frames_inds[0] for s in data_samples], dtype=torch.int64)
    batch_inds = torch.arange(len(inputs))
    key_imgs = inputs[batch_inds, key_inds].contiguous()
    ref_imgs = inputs[batch_inds, ref_inds].contiguous()
    key_samples = [s.get_key_frames()[0] for s in data_samples]
    ref_samples = [s.get_ref_frames()[0] for s in data_samples]
    return key_imgs, ref_imgs, key_samples, ref_samples


@MODELS.register_module()
class MultiClassQDTrack(QDTrack):
    """:class:`~mmdet.models.mot.QDTrack` whose RoI head learns all classes:
    only the RPN sees the labels set to 0 (on copies), as in mmdet's
    ``TwoStageDetector.loss``."""

    def loss(self, inputs: Tensor, data_samples: TrackSampleList, **kwargs) -> dict:
        key_imgs, ref_imgs, key_samples, ref_samples = _key_and_ref_frames(inputs, data_samples)
        x = self.detector.extract_feat(key_imgs)
        ref_x = self.detector.extract_feat(ref_imgs)
        assert self.detector.with_rpn, 'MultiClassQDTrack needs a detector with an RPN'

        rpn_samples = copy.deepcopy(key_samples)
        for sample in rpn_samples:
            sample.gt_instances.labels = torch.zeros_like(sample.gt_instances.labels)
        proposal_cfg = self.detector.train_cfg.get('rpn_proposal', self.detector.test_cfg.rpn)
        rpn_losses, rpn_results_list = self.detector.rpn_head.loss_and_predict(
            x, rpn_samples, proposal_cfg=proposal_cfg, **kwargs)
        # the reference frame's proposals with the same training settings (nms_pre 2000), as
        # Vis4D; mmdet's QDTrack takes the RPN's test settings for them
        with torch.no_grad():
            ref_rpn_results_list = self.detector.rpn_head.predict_by_feat(
                *self.detector.rpn_head(ref_x), batch_img_metas=[s.metainfo for s in ref_samples],
                cfg=proposal_cfg, rescale=False)
        losses = {(f'rpn_{k}' if 'loss' in k and 'rpn' not in k else k): v
                  for k, v in rpn_losses.items()}
        losses.update(self.detector.roi_head.loss(x, rpn_results_list, key_samples, **kwargs))
        losses.update(self.track_head.loss(x, ref_x, rpn_results_list, ref_rpn_results_list,
                                           data_samples, **kwargs))
        return losses


@MODELS.register_module()
class OneStageQDTrack(QDTrack):
    """QDTrack on a one-stage detector (YOLOX-x in the zoo).

    The detector's dense head trains as usual on the key frame; its
    post-processed detections of the key and the reference frame are the
    proposals the similarity head samples from, and its test-time detections
    are what the tracker associates.

    Args:
        proposal_cfg: post-processing of the training proposals:
            ``score_thr``, ``nms_pre`` (top-k before NMS), ``nms``,
            ``max_per_img``.
    """

    def __init__(self, *args, proposal_cfg: Optional[dict] = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.proposal_cfg = ConfigDict(proposal_cfg or dict(
            score_thr=0., nms_pre=2000, nms=dict(type='nms', iou_threshold=0.7),
            max_per_img=1000))

    @torch.no_grad()
    def proposals(self, outs: tuple, data_samples: list) -> List[InstanceData]:
        cfg = self.proposal_cfg
        dets = self.detector.bbox_head.predict_by_feat(
            *outs, batch_img_metas=[s.metainfo for s in data_samples], cfg=cfg,
            rescale=False, with_nms=False)
        results = []
        for det in dets:
            det = det[det.scores.argsort(descending=True)[:cfg.nms_pre]]
            if len(det):
                _, keep = batched_nms(det.bboxes, det.scores, det.labels, cfg.nms)
                det = det[keep[:cfg.max_per_img]]
            det.bboxes = det.bboxes.detach()
            results.append(det)
        return results

    def loss(self, inputs: Tensor, data_samples: TrackSampleList, **kwargs) -> dict:
        key_imgs, ref_imgs, key_samples, ref_samples = _key_and_ref_frames(inputs, data_samples)
        x = self.detector.extract_feat(key_imgs)
        ref_x = self.detector.extract_feat(ref_imgs)
        head = self.detector.bbox_head

        outs = head(x)
        gts = [s.gt_instances for s in key_samples]
        ignores = [s.get('ignored_instances', None) for s in key_samples]
        losses = head.loss_by_feat(*outs, gts, [s.metainfo for s in key_samples], ignores)
        key_proposals = self.proposals(outs, key_samples)
        for proposal in key_proposals:  # the RoI head's renaming, done for the track head
            proposal.priors = proposal.pop('bboxes')
        ref_proposals = self.proposals(head(ref_x), ref_samples)
        losses.update(self.track_head.loss(x, ref_x, key_proposals, ref_proposals, data_samples,
                                           **kwargs))
        return losses

    def predict(self, inputs: Tensor, data_samples: TrackSampleList, rescale: bool = True,
                **kwargs) -> TrackSampleList:
        assert inputs.dim() == 5 and inputs.size(0) == 1 and len(data_samples) == 1, \
            'QDTrack tests one video (batch size 1) at a time'
        track_data_sample = data_samples[0]
        if track_data_sample[0].frame_id == 0:
            self.tracker.reset()
        for frame_id in range(len(track_data_sample)):
            img_data_sample = track_data_sample[frame_id]
            single_img = inputs[:, frame_id].contiguous()
            x = self.detector.extract_feat(single_img)
            img_data_sample.pred_instances = self.detector.bbox_head.predict(
                x, [img_data_sample], rescale=rescale)[0]
            img_data_sample.pred_track_instances = self.tracker.track(
                model=self, img=single_img, feats=x, data_sample=img_data_sample, **kwargs)
        return [track_data_sample]
