"""BDD100KSemSegMetric against scalabel's ``evaluate_sem_seg`` (the official
RLE evaluation), on the real sample frames with predictions built where the
official definition differs from mmseg's ``IoUMetric``."""
import os
import os.path as osp
import random
import zipfile

import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.evaluation import IoUMetric
from mmseg.registry import DATASETS
from mmseg.structures import SegDataSample
from PIL import Image
from scalabel.eval.sem_seg import evaluate_sem_seg
from scalabel.label.io import load
from scalabel.label.transforms import mask_to_rle
from scalabel.label.typing import Frame, Label

from bdd100k.label.to_scalabel import bdd100k_to_scalabel

from bdd100k_zoo.evaluation import BDD100KSemSegMetric, official_names
from bdd100k_zoo.labels import SEM_SEG_CLASSES, get_task_labels
from helpers import run_evaluator

TRAIN = SEM_SEG_CLASSES.index('train')  # in no sample frame's ground truth
CAR = SEM_SEG_CLASSES.index('car')


@pytest.fixture(scope='module')
def segment(samples):
    root = osp.join(samples, 'segment')
    return osp.join(root, 'labels/annotation.json'), osp.join(root, 'images')


@pytest.fixture(scope='module')
def ground_truth(segment):
    """(img_path, train-id map) of the sample frames, through the dataset."""
    init_default_scope('mmseg')
    ann_file, img_dir = segment
    dataset = DATASETS.build(dict(
        type='BDD100KSemSegDataset', ann_file=ann_file, data_prefix=dict(img_path=img_dir),
        pipeline=[dict(type='LoadImageFromFile'), dict(type='LoadBDD100KSemSegAnnotations')]))
    return [(d['img_path'], d['gt_seg_map']) for d in dataset]


def make_predictions(ground_truth):
    """Mostly right, plus what the official evaluation treats differently:
    a class only in the prediction, pixels predicted as 255 and as 19
    (outside the 19 classes: misses), and plain confusions."""
    preds = []
    for k, (_, gt) in enumerate(ground_truth):
        pred = np.where(gt == 255, 0, gt).astype(np.int64)
        pred[100:200, 300:700] = TRAIN
        pred[400:500, :200] = 255
        pred[500:560, 200:500] = 19
        pred[600:, 600 + 100 * k:] = CAR
        preds.append(pred)
    return preds


def data_samples(ground_truth, preds, as_dict=True, with_gt=True):
    samples = []
    for (img_path, gt), pred in zip(ground_truth, preds):
        sample = SegDataSample(metainfo=dict(img_path=img_path))
        sample.pred_sem_seg = PixelData(data=torch.from_numpy(pred)[None])
        if with_gt:
            sample.gt_sem_seg = PixelData(data=torch.from_numpy(gt.astype(np.int64))[None])
        samples.append(sample.to_dict() if as_dict else sample)
    return samples


def evaluate(metric, samples, batch_size=1):
    return official_names(run_evaluator(metric, samples, SEM_SEG_CLASSES, batch_size))


def official(ann_file, ground_truth, preds):
    """scalabel's evaluate_sem_seg on the raw annotation file and the
    predictions as Scalabel RLE frames (pixels outside 0-18 get no label)."""
    config = get_task_labels('sem_seg').config
    gt_frames = bdd100k_to_scalabel(load(ann_file, nprocs=0).frames, config)
    pred_frames = [
        Frame(name=osp.basename(img_path), labels=[
            Label(id=str(c), category=SEM_SEG_CLASSES[c],
                  rle=mask_to_rle((pred == c).astype(np.uint8)))
            for c in np.unique(pred) if c < len(SEM_SEG_CLASSES)])
        for (img_path, _), pred in zip(ground_truth, preds)]
    result = evaluate_sem_seg(gt_frames, pred_frames, config.scalabel, nproc=1)
    scores = result.summary()
    scores.update({f'IoU/{name}': v for name, v in result.IoU[0].items()})
    return scores


def test_mIoU_equals_scalabel_where_mmseg_differs(segment, ground_truth):
    preds = make_predictions(ground_truth)
    scores = evaluate(BDD100KSemSegMetric(), data_samples(ground_truth, preds))
    reference = official(segment[0], ground_truth, preds)
    assert set(scores) == {'mIoU', 'mAcc', 'fIoU', 'pAcc'} | {
        f'IoU/{c}' for c in SEM_SEG_CLASSES}
    for key, value in reference.items():
        assert scores[key] == pytest.approx(value, abs=1e-9), key
    assert scores['IoU/train'] == 0 and scores['IoU/car'] > 0
    # mmseg's IoUMetric averages 'train' (only predicted) in and scores recall as Acc
    mmseg = evaluate(IoUMetric(iou_metrics=['mIoU']), data_samples(ground_truth, preds))
    assert abs(mmseg['mIoU'] - scores['mIoU']) > 1
    assert abs(mmseg['mAcc'] - scores['mAcc']) > 1


def test_perfect_prediction_and_data_sample_objects(ground_truth):
    preds = [np.where(gt == 255, 7, gt).astype(np.int64) for _, gt in ground_truth]
    scores = evaluate(BDD100KSemSegMetric(), data_samples(ground_truth, preds, as_dict=False))
    # what is predicted on unlabeled (255) pixels is not scored
    for key in ('mIoU', 'mAcc', 'fIoU', 'pAcc', 'IoU/traffic sign'):
        assert scores[key] == pytest.approx(100), key
    # classes absent from the ground truth are reported at 0 but not averaged
    assert scores['IoU/person'] == 0


def test_compute_metrics_on_the_results_as_in_every_mmengine_metric(ground_truth):
    preds = make_predictions(ground_truth)
    metric = BDD100KSemSegMetric()
    metric.dataset_meta = dict(classes=SEM_SEG_CLASSES)
    metric.process({}, data_samples(ground_truth, preds))
    assert metric.compute_metrics(metric.results) == evaluate(
        BDD100KSemSegMetric(), data_samples(ground_truth, preds))


def _distributed_worker(rank, world_size, port, samples, out):
    import torch.distributed as dist
    from mmengine.dataset import DefaultSampler
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    dist.init_process_group('gloo', rank=rank, world_size=world_size)
    metric = BDD100KSemSegMetric()
    metric.dataset_meta = dict(classes=SEM_SEG_CLASSES)
    for index in DefaultSampler(samples, shuffle=False):  # pads rank 1 with sample 0
        metric.process({}, [samples[index]])
    scores = official_names(metric.evaluate(len(samples)))
    if rank == 0:
        torch.save(scores, out)
    dist.destroy_process_group()


def test_two_processes_give_the_single_process_numbers(ground_truth, tmp_path):
    preds = make_predictions(ground_truth)
    gt3 = ground_truth + [(ground_truth[0][0].replace('.jpg', '-flip.jpg'),
                           ground_truth[0][1][:, ::-1].copy())]
    samples = data_samples(gt3, preds + [preds[1][:, ::-1].copy()])
    single = evaluate(BDD100KSemSegMetric(), samples)
    # the sampler's padding repeat of frame 0 must not count twice
    padded = evaluate(BDD100KSemSegMetric(), samples + samples[:1])
    assert padded['mIoU'] != pytest.approx(single['mIoU'])
    out = str(tmp_path / 'scores.pth')
    torch.multiprocessing.spawn(_distributed_worker, nprocs=2,
                                args=(2, random.randint(20000, 40000), samples, out))
    assert torch.load(out) == pytest.approx(single, abs=1e-9)


def test_format_only_writes_the_png_zip(ground_truth, tmp_path):
    preds = make_predictions(ground_truth)
    prefix = str(tmp_path / 'submission' / 'sem_seg')
    metric = BDD100KSemSegMetric(format_only=True, outfile_prefix=prefix)
    os.makedirs(prefix + '.partial')  # the scratch folder of an interrupted run
    Image.fromarray(np.zeros((2, 2), np.uint8)).save(osp.join(prefix + '.partial', 'stale.png'))
    assert evaluate(metric, data_samples(ground_truth, preds, with_gt=False)) == {}
    assert sorted(os.listdir(prefix)) == ['91051a8d-dc9c6637.png', '913b47b8-3cf1b886.png']
    with zipfile.ZipFile(prefix + '.zip') as zf:
        assert sorted(zf.namelist()) == ['91051a8d-dc9c6637.png', '913b47b8-3cf1b886.png']
        for (img_path, _), pred in zip(ground_truth, preds):
            name = osp.basename(img_path).replace('.jpg', '.png')
            with zf.open(name) as f:
                mask = np.asarray(Image.open(f))
            assert mask.dtype == np.uint8 and mask.shape == (720, 1280)
            np.testing.assert_array_equal(mask, np.where(pred >= 19, 255, pred))


def test_bad_use_gives_clear_errors(ground_truth):
    preds = make_predictions(ground_truth)
    with pytest.raises(ValueError, match='format_only=True needs outfile_prefix'):
        BDD100KSemSegMetric(format_only=True)
    with pytest.raises(TypeError, match='ground truth comes from gt_sem_seg'):
        BDD100KSemSegMetric(ann_file='labels/sem_seg/rles/sem_seg_val.json')
    with pytest.raises(ValueError, match=r'913b47b8-3cf1b886\.jpg has no gt_sem_seg'):
        evaluate(BDD100KSemSegMetric(), data_samples(ground_truth, preds, with_gt=False))
    small = [pred[::2, ::2] for pred in preds]
    with pytest.raises(ValueError, match=r'913b47b8-3cf1b886\.jpg: prediction is \(360, 640\)'):
        evaluate(BDD100KSemSegMetric(), data_samples(ground_truth, small))
