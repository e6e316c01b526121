"""The tracking visualizer and what ``tools/test.py --show-dir`` sets up to paint."""
from mmdet.registry import VISUALIZERS
from mmdet.structures.bbox import BaseBoxes
from mmdet.visualization import DetLocalVisualizer, TrackLocalVisualizer
from mmengine.dist import master_only
from mmengine.visualization import Visualizer
from mmseg.visualization import SegLocalVisualizer


@VISUALIZERS.register_module()
class BDD100KTrackVisualizer(TrackLocalVisualizer):
    """mmdet 3.3's ``TrackLocalVisualizer``, which also paints the ground truth
    as ``PackTrackInputs`` packs it: it reads track ids as ``instances_id`` and
    boxes as tensors, where the packed ground truth has ``instances_ids`` and
    box objects (mmdet's own MOT browse tool fails on that)."""

    def _draw_instances(self, image, instances):
        instances = instances.clone()
        if 'instances_ids' in instances:
            instances.instances_id = instances.pop('instances_ids')
        if isinstance(instances.get('bboxes'), BaseBoxes):
            instances.bboxes = instances.bboxes.tensor
        return super()._draw_instances(image, instances)


# the drawing API of the visualizers (not their scalar / config logging)
_PAINTING = ('dataset_meta', 'set_image', 'get_image', 'draw_', 'add_datasample', 'add_image',
             'show')


def paint_on_every_rank() -> None:
    """Let every process of a distributed test paint its own frames: mmengine's
    and the OpenMMLab visualizers' drawing methods run on the main process only
    (``@master_only``), so ``--show-dir`` under ``dist_test.sh`` would paint a
    fraction of the frames. Their undecorated methods are put back (idempotent)."""
    master_only_code = master_only(lambda: None).__code__

    def unwrap(func):
        return func.__wrapped__ if getattr(func, '__code__', None) is master_only_code else func

    for cls in (Visualizer, DetLocalVisualizer, TrackLocalVisualizer, SegLocalVisualizer):
        for name, attr in list(vars(cls).items()):
            if not name.startswith(_PAINTING):
                continue
            if isinstance(attr, property):
                setattr(cls, name, property(unwrap(attr.fget), unwrap(attr.fset), attr.fdel,
                                            attr.__doc__))
            else:
                setattr(cls, name, unwrap(attr))


def paint_gt_masks(cfg) -> bool:
    """Load the ground-truth masks in the test pipeline of an instance-segmentation
    model, so that the ground-truth panel shows masks as the prediction panel
    does (the metric reads the label file; the pipeline loads boxes only)."""
    model = cfg.model.get('detector', cfg.model)
    if not (model.get('roi_head') or {}).get('mask_head'):
        return False
    found = False
    for loader in ('val_dataloader', 'test_dataloader'):
        dataset = (cfg.get(loader) or {}).get('dataset') or {}
        for transform in dataset.get('pipeline') or []:
            if str(transform.get('type', '')).split('.')[-1] == 'LoadAnnotations':
                transform['with_mask'] = True
                found = True
    return found
