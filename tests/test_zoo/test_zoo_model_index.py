"""The OpenMMLab model index (model-index.yml + configs/<family>/metafile.yml) and
each family's page (configs/<family>/README.md: paper, abstract, results, where
they come from, citation) are generated from the records, configs and papers, with
modelindex's standard fields only, and kept current by --check; it ships in the
package (bdd100k_zoo/.mim) for mim and the bdd100k_zoo:: config scope. Tracking visuals become one mp4 per video (GIF
optional, small), from tools/browse_dataset.py on the real sample."""
import copy
import json
import os
import os.path as osp
import shutil

import numpy as np
import pytest
import yaml
from PIL import Image

from bdd100k_zoo.zoo import Checkpoint, Measurement, load_records
from bdd100k_zoo.zoo.model_index import provenance, results
from bdd100k_zoo.zoo.table import load_config
from bdd100k_zoo.visualization import GIF_WIDTH, make_videos
from helpers import REPO, load_tool, run_tool

RESULTS = osp.join(REPO, 'results')
# metafile metric name -> record key, per task (as mmdet / mmseg metafiles name them)
METRIC_KEYS = {'det': {'box AP': 'AP'}, 'ins_seg': {'box AP': 'box_AP', 'mask AP': 'AP'},
               'sem_seg': {'mIoU': 'mIoU'},
               'box_track': {'mMOTA': 'mMOTA', 'mIDF1': 'mIDF1', 'ID Sw.': 'IDSw'},
               'seg_track': {'mMOTSA': 'mMOTA', 'mIDF1': 'mIDF1', 'ID Sw.': 'IDSw'},
               'pan_seg': {'PQ': 'PQ'}, 'drivable': {'mIoU': 'mIoU'},
               'tagging': {'Top 1 Accuracy': 'accuracy'}, 'pose': {'AP': 'AP'}}


def _load(path):
    with open(path) as f:
        return yaml.safe_load(f)


def test_model_index_has_every_zoo_config_with_its_record_numbers():
    index = _load(osp.join(REPO, 'model-index.yml'))
    models = {}
    for path in index['Import']:
        meta = _load(osp.join(REPO, path))
        collections = {c['Name'] for c in meta['Collections']}
        page = f'{osp.dirname(path)}/README.md'
        for c in meta['Collections']:
            assert c['Metadata']['Training Data'] == 'BDD100K' and c['Metadata']['Architecture']
            assert c['Paper']['URL'].startswith('https://') and c['README'] == page
            text = open(osp.join(REPO, page)).read()  # the family's page, with its paper
            assert text.startswith('# ') and f'> [{c["Paper"]["Title"]}]({c["Paper"]["URL"]})' \
                in text and '## Abstract' in text and '```latex\n@' in text
        for model in meta['Models']:
            assert model['In Collection'] in collections
            assert osp.dirname(model['Config']) == osp.dirname(path)  # its family's metafile
            models[model['Name']] = model
    records = load_records(RESULTS)
    assert records and set(models) == {r.name for r in records}
    for record in records:
        model, cfg = models[record.name], load_config(REPO, record)
        assert model['Config'] == record.config and model['In Collection'] == record.model
        schedule = {k: v for k, v in model['Metadata'].items() if k in ('Epochs', 'Iterations')}
        assert schedule == ({'Epochs': cfg.train_cfg.max_epochs} if 'max_epochs' in cfg.train_cfg
                            else {'Iterations': cfg.train_cfg.max_iters})
        run, ref = record.measured.val, record.published.val
        scores = run.scores if run and run.scores else ref.scores if ref else {}
        found = {}
        for result in model['Results']:
            assert set(result) == {'Task', 'Dataset', 'Metrics'}  # modelindex keeps no other
            assert result['Dataset'] == 'BDD100K' and result['Task']
            found.update(result['Metrics'])
        published = ref is not None and not (run and run.scores)
        assert model['README'] == f'{osp.dirname(record.config)}/README.md'
        # the page says where each model's numbers come from
        source = [line for line in open(osp.join(REPO, model['README'])).read().splitlines()
                  if line.startswith(f'- `{record.name}`: ')][0]
        assert ('published reference' in source) == published
        assert f'results/{record.name}.json' in source
        if published:
            assert ref.source in source
        expected = {name: key for name, key in METRIC_KEYS[record.task].items() if key in scores}
        assert set(found) == set(expected), record.name
        for name, key in expected.items():
            # to 0.1: a half-way value (24.75 -> 24.8) lies 0.05 away, in floats a hair more
            assert found[name] == pytest.approx(scores[key], abs=0.05 + 1e-9), (record.name, name)
        assert 'Weights' not in model  # no record has downloadable weights yet


def test_measured_scores_replace_the_published_ones_and_are_unmarked():
    record = copy.deepcopy(next(r for r in load_records(RESULTS) if r.task == 'ins_seg'))
    record.measured.val = Measurement(
        scores={'AP': 18.04, 'box_AP': 24.56}, command='python tools/test.py ...',
        date='2025-01-01T00:00:00+00:00', code_version='0.1.0',
        checkpoint=Checkpoint(file='https://example.org/m.pth', sha256='0' * 64),
        num_images=1000)
    out = results(record)
    assert [r['Metrics'] for r in out] == [{'box AP': 24.6}, {'mask AP': 18.0}]
    assert provenance(record).startswith('val scores measured by tools/test.py')


def test_check_detects_a_stale_metafile(tmp_path, capsys):
    results_dir, readme = tmp_path / 'results', tmp_path / 'README.md'
    results_dir.mkdir()
    shutil.copy(osp.join(RESULTS, 'mask_rcnn_r50_1x_bdd100k.json'), results_dir)
    readme.write_text('<!-- zoo-table:start -->\n<!-- zoo-table:end -->\n')
    args = ['--results-dir', str(results_dir), '--readme', str(readme)]
    gen = load_tool('model_zoo/gen_tables')
    repo_metafile = open(osp.join(REPO, 'configs/mask_rcnn/metafile.yml')).read()
    assert gen.main(args) == 0 and gen.main(args + ['--check']) == 0
    # the index of a results dir lies beside it, never in the repository
    metafile = tmp_path / 'configs/mask_rcnn/metafile.yml'
    assert _load(tmp_path / 'model-index.yml') == {'Import': ['configs/mask_rcnn/metafile.yml']}
    assert open(osp.join(REPO, 'configs/mask_rcnn/metafile.yml')).read() == repo_metafile
    page = tmp_path / 'configs/mask_rcnn/README.md'
    assert '| 17.0† | 23.4† |' in page.read_text()
    assert [m['Name'] for m in _load(metafile)['Models']] == ['mask_rcnn_r50_1x_bdd100k']

    metafile.write_text(metafile.read_text().replace('mask AP: 17.0', 'mask AP: 17.1'))
    capsys.readouterr()
    assert gen.main(args + ['--check']) == 1  # edited by hand
    assert str(metafile) in capsys.readouterr().err
    assert gen.main(args) == 0 and 'mask AP: 17.0' in metafile.read_text()

    record = json.loads((results_dir / 'mask_rcnn_r50_1x_bdd100k.json').read_text())
    record['published']['val']['scores']['AP'] = 17.3  # the record changes, the metafile not
    (results_dir / 'mask_rcnn_r50_1x_bdd100k.json').write_text(json.dumps(record))
    assert gen.main(args + ['--check']) == 1
    assert gen.main(args) == 0 and 'mask AP: 17.3' in metafile.read_text()
    assert '| 17.3† | 23.4† |' in page.read_text()
    page.write_text(page.read_text().replace('## Abstract', '## Summary'))
    assert gen.main(args + ['--check']) == 1  # a family page edited by hand
    (tmp_path / 'model-index.yml').unlink()
    assert gen.main(args + ['--check']) == 1  # a missing index is stale too


def _paint(path, shade):
    Image.new('RGB', (64, 36), (shade, 255 - shade, 40)).save(path)


def _frames(path):
    import cv2
    cap = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            return frames
        frames.append(frame)


def test_mp4_per_video_from_painted_frames_and_a_small_gif(tmp_path):
    (tmp_path / 'vid').mkdir()  # browse_dataset's layout: <dir>/<video>/<frame>
    for i, shade in enumerate((0, 120, 240)):
        _paint(tmp_path / 'vid' / f'{i:06d}.jpg', shade)
    # mmdet's hook layout for BDD100K: frames of every video in one folder, <video>-<index>
    (tmp_path / 'images').mkdir()
    for video in ('a1-b2', 'c3-d4'):
        for index in (10, 9, 11, 12):
            _paint(tmp_path / 'images' / f'{video}-{index:07d}.jpg', index * 20)
    written = make_videos(str(tmp_path))
    assert sorted(written) == [str(tmp_path / f'{v}.mp4') for v in ('a1-b2', 'c3-d4', 'vid')]
    frames = _frames(tmp_path / 'vid.mp4')
    assert len(frames) == 3 and frames[0].shape == (36, 64, 3)
    # frame order (BGR: the red shade is channel 2), through the codec's loss
    assert frames[0][18, 32, 2] < frames[1][18, 32, 2] < frames[2][18, 32, 2]
    frames = _frames(tmp_path / 'a1-b2.mp4')
    assert len(frames) == 4 and frames[0][18, 32, 2] == pytest.approx(180, abs=12)  # frame 9
    assert not [p for p in tmp_path.iterdir() if 'partial' in p.name]
    assert make_videos(str(tmp_path / 'absent')) == []

    big = tmp_path / 'big'
    (big / 'v').mkdir(parents=True)
    for i in range(2):
        Image.new('RGB', (2560, 720), (i * 200, 0, 0)).save(big / 'v' / f'{i}.jpg')
    assert sorted(make_videos(str(big), gif=True)) == [str(big / 'v.gif'), str(big / 'v.mp4')]
    with Image.open(big / 'v.gif') as gif:  # a quick look: downscaled
        assert gif.format == 'GIF' and gif.n_frames == 2 and gif.size == (GIF_WIDTH, 180)
    assert _frames(big / 'v.mp4')[0].shape == (720, 2560, 3)  # the video keeps every pixel


@pytest.mark.parametrize('config', ['configs/qdtrack/qdtrack_frcnn_r50_fpn_1x_bdd100k.py',
                                    'configs/qdtrack/qdtrack_mask_rcnn_r50_fpn_12e_mots_bdd100k.py'])
def test_browse_dataset_writes_a_video_per_tracking_video(config, samples, tmp_path):
    labels, images = osp.join(samples, 'track/labels'), osp.join(samples, 'track/images')
    data = 'train_dataloader.dataset'
    out = run_tool('tools/browse_dataset.py', config,
             '--output-dir', str(tmp_path), '--not-show', '--cfg-options',
             f'{data}.pipeline.1.transforms.2.scale=(192,108)', f'{data}.image_sources=[]',
             f'{data}.data_root=', f'{data}.ann_file={labels}', f'{data}.data_prefix.img={images}',
             'train_dataloader.num_workers=0', 'train_dataloader.persistent_workers=False')
    videos = sorted(v for v in os.listdir(images))
    assert len(videos) == 2
    # each written video on a line of its own, not after the progress bar
    assert sorted(line for line in out.splitlines() if line.startswith('wrote ')) == [
        f'wrote {tmp_path / video}.mp4' for video in videos]
    for video in videos:
        frames = sorted((tmp_path / video).iterdir())
        assert len(frames) == len(os.listdir(osp.join(images, video))) == 6
        decoded = _frames(tmp_path / f'{video}.mp4')
        assert len(decoded) == len(frames) and decoded[0].shape == (108, 192, 3)
        pixels = decoded[0].reshape(-1, 3)
        assert len(np.unique(pixels, axis=0)) > 50  # a real frame, not blank
