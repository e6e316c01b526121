"""The zoo records only what can be its number: tools/test.py writes what a run
measured and wrote to scores.json; tools/model_zoo/record_run.py refuses a sample
run and records a full-split one (scores file, per-class plot), which lands in the
generated table. tools/browse_dataset.py paints the ground truth of every task."""
import json
import os
import os.path as osp
import shutil
import subprocess
import sys

import numpy as np
from PIL import Image

from bdd100k_zoo.zoo import load_record
from helpers import FRCNN_CONFIG, REPO, load_tool, run_tool, sample_options

NAME = 'faster_rcnn_r50_1x_bdd100k'


def test_a_test_run_is_written_down_and_a_sample_run_refused(detector_test_run, tmp_path):
    work_dir, ckpt, prefix, _ = detector_test_run
    results = tmp_path / 'results'
    results.mkdir()
    shutil.copy(osp.join(REPO, 'results', f'{NAME}.json'), results)
    before = (results / f'{NAME}.json').read_text()
    scores = osp.join(work_dir, 'scores.json')
    with open(scores) as f:
        run = json.load(f)
    assert (run['config'], run['checkpoint']) == (FRCNN_CONFIG, ckpt)
    assert run['command'].startswith(f'python tools/test.py {FRCNN_CONFIG} {ckpt} --work-dir')
    assert run['metrics']['AP'] >= 0 and 'AP/car' in run['metrics']
    assert (run['num_images'], run['num_videos']) == (1, None)
    assert run['submission'] == [prefix + '.json']
    # --show-dir: the folder of the painted frame (without it None: test_tools_e2e)
    assert [d for d, _, files in os.walk(work_dir) if '913b47b8-3cf1b886.jpg' in files] == [
        run['show_dir']]

    proc = subprocess.run(
        [sys.executable, 'tools/model_zoo/record_run.py', scores,
         '--results-dir', str(results)], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert proc.stderr.strip().endswith(
        f'{results}/{NAME}.json: not recorded: the run covers 1 images, but the '
        'official BDD100K val split of det has 10,000: only a run over the whole split can be '
        "the zoo's number")
    assert (results / f'{NAME}.json').read_text() == before
    assert not (results / 'scores').exists()


def test_a_full_split_run_is_recorded_and_lands_in_the_table(tmp_path):
    record_run = load_tool('model_zoo/record_run')
    results = tmp_path / 'results'
    results.mkdir()
    shutil.copy(osp.join(REPO, 'results', f'{NAME}.json'), results)
    published = load_record(str(results / f'{NAME}.json')).published
    ckpt = tmp_path / 'epoch_12.pth'
    ckpt.write_bytes(b'weights')
    preds, visuals = results / 'preds' / f'{NAME}.json', results / 'visuals' / NAME
    preds.parent.mkdir()
    preds.write_text('[]')
    visuals.mkdir(parents=True)
    metrics = {'AP': 30.97, 'AP50': 55.1, 'AP/car': 45.2, 'AP/train': 0.0}
    (tmp_path / 'scores.json').write_text(json.dumps(dict(
        config=FRCNN_CONFIG, checkpoint=str(ckpt), metrics=metrics, num_images=10000,
        num_videos=None, command='python tools/test.py ...', submission=[str(preds)],
        show_dir=str(visuals))))
    assert record_run.main([str(tmp_path), '--results-dir', str(results)]) == 0

    record = load_record(str(results / f'{NAME}.json'))
    assert record.published == published  # the measurement went beside it
    run = record.measured.val
    assert record.measured.test is None and run.num_images == 10000
    assert run.code_version.startswith('0.') and run.date[:2] == '20'
    assert (run.scores_file, run.plot) == (f'scores/{NAME}_val.json', f'plots/{NAME}_val.png')
    assert (run.preds, run.visuals) == (f'preds/{NAME}.json', f'visuals/{NAME}')
    scores = json.loads((results / run.scores_file).read_text())
    assert scores == metrics and run.scores == {'AP': 30.97, 'AP50': 55.1}
    with Image.open(results / run.plot) as plot:
        assert plot.format == 'PNG' and plot.size == record_run.PLOT_SIZE

    readme = tmp_path / 'README.md'
    readme.write_text('<!-- zoo-table:start -->\n<!-- zoo-table:end -->\n')
    gen = load_tool('model_zoo/gen_tables')
    assert gen.main(['--results-dir', str(results), '--readme', str(readme)]) == 0
    row = [line for line in (results / 'README.md').read_text().splitlines()
           if line.startswith('| R-50-FPN | 1x |')][0]
    assert '| 31.0 (31.2†) |' in row
    assert f'[scores](scores/{NAME}_val.json) \\| [plot](plots/{NAME}_val.png)' in row
    assert row.endswith(f'| [preds](preds/{NAME}.json) | [visuals](visuals/{NAME}) |')
    page = (tmp_path / 'configs' / 'faster_rcnn' / 'README.md').read_text()
    assert '| 31.0 (31.2†) |' in page and 'val scores measured by tools/test.py' in page


def test_browse_dataset_paints_ground_truth(detect_sample, tmp_path):
    run_tool('tools/browse_dataset.py', FRCNN_CONFIG, '--output-dir', str(tmp_path),
             '--not-show', '--cfg-options', *sample_options(*detect_sample))
    painted = tmp_path / '913b47b8-3cf1b886.jpg'
    with Image.open(painted) as img:
        assert img.size == (320, 180)  # the sample scale of the training pipeline
        pixels = img.convert('RGB')
        assert len(set(pixels.getdata())) > 100  # a real image, not blank


def test_browse_dataset_paints_semantic_segmentation(samples, tmp_path):
    """mmseg's visualizer on the training pipeline's crops, in the BDD100K palette."""
    from bdd100k_zoo.labels import get_task_labels
    from test_models.test_sem_seg_e2e import CONFIG, sem_seg_options
    root = osp.join(samples, 'segment')
    np.random.seed(1)  # a fixed random crop, one that shows road
    load_tool('browse_dataset').main([
        CONFIG, '--output-dir', str(tmp_path), '--not-show', '--cfg-options',
        *sem_seg_options(osp.join(root, 'labels/annotation.json'), osp.join(root, 'images')),
        'train_dataloader.dataset.pipeline.4.prob=0'])  # no ColorJitter: colours as labelled
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ['91051a8d-dc9c6637.jpg', '913b47b8-3cf1b886.jpg']
    with Image.open(tmp_path / names[0]) as img:
        assert img.size == (256, 128)  # the (128, 256) crop
        pixels = np.asarray(img.convert('RGB')).reshape(-1, 3)
    # the road is painted (blended) in its BDD100K colour: pixels closer to it than to grey
    road = np.array(get_task_labels('sem_seg').palette[0])
    assert len(np.unique(pixels, axis=0)) > 100
    assert np.abs(pixels - road).sum(axis=1).min() < 60
