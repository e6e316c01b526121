"""The zoo table: generated from records + configs with Vis4D's sections,
columns and order; published numbers marked; stale tables caught by --check;
the generator writes every file through a temporary name and reads configs only
under configs/."""
import json
import os.path as osp
import shutil

import pytest

from bdd100k_zoo.zoo import RecordError, load_records
from bdd100k_zoo.zoo.table import (END, START, ConfigFactError, backbone_name, load_config,
                                   render)
from helpers import REPO, full_disk, load_tool

RESULTS = osp.join(REPO, 'results')
CFG = 'configs/{}/{}.py'
# The checked expected rows (links relative to the repository root), in table order.
EXPECTED = {
    'cascade_rcnn_convnext-b_3x_bdd100k':
        '| ConvNeXt-B | 3x | ✓ | 35.8† |  | 35.0† |  | [config]({}) |  |  |  |',
    'cascade_rcnn_convnext-s_3x_bdd100k':
        '| ConvNeXt-S | 3x | ✓ | 36.1† |  | 35.4† |  | [config]({}) |  |  |  |',
    'cascade_rcnn_convnext-t_1x_bdd100k':
        '| ConvNeXt-T | 1x |  | 35.5† |  | 34.0† |  | [config]({}) |  |  |  |',
    'cascade_rcnn_convnext-t_3x_bdd100k':
        '| ConvNeXt-T | 3x | ✓ | 35.8† |  | 35.4† |  | [config]({}) |  |  |  |',
    'cascade_rcnn_swin-b_3x_fp16_bdd100k':
        '| Swin-B | 3x | ✓ | 35.0† |  | 34.1† |  | [config]({}) |  |  |  |',
    'cascade_rcnn_swin-s_3x_fp16_bdd100k':
        '| Swin-S | 3x | ✓ | 35.5† |  | 34.9† |  | [config]({}) |  |  |  |',
    'cascade_rcnn_swin-t_3x_bdd100k':
        '| Swin-T | 3x | ✓ | 36.0† |  | 35.3† |  | [config]({}) |  |  |  |',
    'faster_rcnn_convnext-b_3x_bdd100k':
        '| ConvNeXt-B | 3x | ✓ | 33.9† |  | 33.3† |  | [config]({}) |  |  |  |',
    'faster_rcnn_convnext-s_3x_bdd100k':
        '| ConvNeXt-S | 3x | ✓ | 34.8† |  | 34.5† |  | [config]({}) |  |  |  |',
    'faster_rcnn_convnext-t_1x_bdd100k':
        '| ConvNeXt-T | 1x |  | 33.3† |  | 32.0† |  | [config]({}) |  |  |  |',
    'faster_rcnn_convnext-t_3x_bdd100k':
        '| ConvNeXt-T | 3x | ✓ | 34.1† |  | 33.6† |  | [config]({}) |  |  |  |',
    # the Faster R-CNN family (first met at r101) before ResNet Strikes Back (Faster R-CNN)
    'faster_rcnn_r50_1x_bdd100k': '| R-50-FPN | 1x |  | 31.2† |  |  |  | [config]({}) |  |  |  |',
    'faster_rcnn_r50_3x_bdd100k': '| R-50-FPN | 3x | ✓ | 32.4† |  |  |  | [config]({}) |  |  |  |',
    'faster_rcnn_r50-rsb_1x_bdd100k':
        '| R-50-FPN | 1x |  | 31.4† |  | 30.3† |  | [config]({}) |  |  |  |',
    'faster_rcnn_r50-rsb_3x_bdd100k':
        '| R-50-FPN | 3x | ✓ | 32.5† |  | 31.4† |  | [config]({}) |  |  |  |',
    'faster_rcnn_swin-b_3x_fp16_bdd100k':
        '| Swin-B | 3x | ✓ | 34.5† |  | 33.4† |  | [config]({}) |  |  |  |',
    'faster_rcnn_swin-b_3x_fp16_strong_bdd100k':
        '| Swin-B | 3x | ✓ | 35.4† |  | 34.3† |  | [config]({}) |  |  |  |',
    'faster_rcnn_swin-s_3x_bdd100k':
        '| Swin-S | 3x | ✓ | 34.2† |  | 33.2† |  | [config]({}) |  |  |  |',
    'faster_rcnn_swin-s_3x_fp16_bdd100k':
        '| Swin-S | 3x | ✓ | 34.2† |  | 33.3† |  | [config]({}) |  |  |  |',
    'faster_rcnn_swin-s_3x_fp16_strong_bdd100k':
        '| Swin-S | 3x | ✓ | 35.1† |  | 33.7† |  | [config]({}) |  |  |  |',
    'faster_rcnn_swin-t_1x_bdd100k':
        '| Swin-T | 1x |  | 32.1† |  | 31.0† |  | [config]({}) |  |  |  |',
    'faster_rcnn_swin-t_3x_bdd100k':
        '| Swin-T | 3x | ✓ | 34.1† |  | 33.5† |  | [config]({}) |  |  |  |',
    'faster_rcnn_swin-t_3x_strong_bdd100k':
        '| Swin-T | 3x | ✓ | 34.4† |  | 33.3† |  | [config]({}) |  |  |  |',
    'retinanet_pvt-s_3x_bdd100k':
        '| PVT-S | 3x | ✓ | 31.2† |  | 30.7† |  | [config]({}) |  |  |  |',
    'retinanet_pvt-t_1x_bdd100k': '| PVT-T | 1x |  | 28.5† |  | 27.5† |  | [config]({}) |  |  |  |',
    'retinanet_pvt-t_3x_bdd100k':
        '| PVT-T | 3x | ✓ | 30.5† |  | 29.9† |  | [config]({}) |  |  |  |',
    'retinanet_pvtv2-b0_1x_bdd100k':
        '| PVTv2-B0 | 1x |  | 30.4† |  | 29.5† |  | [config]({}) |  |  |  |',
    'retinanet_pvtv2-b0_3x_bdd100k':
        '| PVTv2-B0 | 3x | ✓ | 31.9† |  | 31.1† |  | [config]({}) |  |  |  |',
    'retinanet_pvtv2-b1_3x_bdd100k':
        '| PVTv2-B1 | 3x | ✓ | 32.6† |  | 31.8† |  | [config]({}) |  |  |  |',
    'retinanet_pvtv2-b2_3x_bdd100k':
        '| PVTv2-B2 | 3x | ✓ | 33.0† |  | 32.6† |  | [config]({}) |  |  |  |',
    'retinanet_r50-rsb_1x_bdd100k':
        '| R-50-FPN | 1x |  | 29.5† |  | 28.7† |  | [config]({}) |  |  |  |',
    'retinanet_r50-rsb_3x_bdd100k':
        '| R-50-FPN | 3x | ✓ | 31.1† |  | 30.5† |  | [config]({}) |  |  |  |',
    'mask_rcnn_r50_1x_bdd100k':
        '| R-50-FPN | 1x |  | 17.0† | 23.4† |  |  |  |  | [config]({}) |  |  |  |',
    'mask_rcnn_r50_3x_bdd100k':
        '| R-50-FPN | 3x | ✓ | 20.2† | 26.8† |  |  |  |  | [config]({}) |  |  |  |',
    'mask_rcnn_r50_5x_bdd100k':
        '| R-50-FPN | 5x | ✓ | 20.2† | 25.7† |  |  |  |  | [config]({}) |  |  |  |',
    'semantic_fpn_r50_40k_bdd100k':
        '| R-50-FPN | 40K | 512 \\* 1024 | 59.2† |  |  |  | [config]({}) |  |  |  |',
    'qdtrack_frcnn_r50_fpn_1x_bdd100k':
        '| Faster R-CNN | R-50-FPN | 36.1† | 51.8† | 6165† |  |  |  |  |  | [config]({}) |  |  |  |',
    'qdtrack_yolox_x_bdd100k':
        '| YOLOX-x | CSPNet | 42.3† | 55.1† | 9164† |  |  |  |  |  | [config]({}) |  |  |  |',
    'qdtrack_mask_rcnn_r50_fpn_12e_mots_bdd100k':
        '| Mask R-CNN | R-50-FPN | 22.5† |  |  |  |  |  |  |  | [config]({}) |  |  |  |',
    'panoptic_fpn_r50_1x_bdd100k':
        '| R-50-FPN | 1x |  | 21.5† |  | 20.6† |  | [config]({}) |  |  |  |',
    'panoptic_fpn_r50_3x_bdd100k':
        '| R-50-FPN | 3x | ✓ | 22.4† |  | 21.8† |  | [config]({}) |  |  |  |',
    'panoptic_fpn_r50_5x_bdd100k':
        '| R-50-FPN | 5x | ✓ | 23.4† |  | 22.0† |  | [config]({}) |  |  |  |',
    'semantic_fpn_r50_40k_drivable_bdd100k':
        '| R-50-FPN | 40K | 512 \\* 1024 | 77.3† |  | 76.7† |  | [config]({}) |  |  |  |',
    'resnet50_5x_640_timeofday_bdd100k':
        '| timeofday | R-50 | 5x | 640 \\* 640 |  |  |  |  | [config]({}) |  |  |  |',
    'resnet50_5x_640_weather_bdd100k':
        '| weather | R-50 | 5x | 640 \\* 640 | 81.9† |  | 81.6† |  | [config]({}) |  |  |  |',
    'vgg11_5x_224_scene_bdd100k':
        '| scene | VGG-11 | 5x | 224 \\* 224 | 77.2† |  | 77.0† |  | [config]({}) |  |  |  |',
    'dark_mobilenetv2_1x_320x256_bdd100k':
        '| MobileNetV2 | DARK | 1x | 320 \\* 256 | 45.0† |  | 42.3† |  | [config]({}) |  |  |  |',
    'hrnet_pose_w48_1x_256x192_bdd100k':
        '| HRNet-w48 | MSRA | 1x | 256 \\* 192 | 50.3† |  | 47.4† |  | [config]({}) |  |  |  |',
    'udp_res101_1x_256x192_bdd100k':
        '| R-101 | UDP | 1x | 256 \\* 192 | 46.3† |  | 43.7† |  | [config]({}) |  |  |  |',
}
HEADERS = {
    'Object Detection': '| Backbone | Lr schd | MS-train | Box AP-val | Scores-val | Box AP-test '
                        '| Scores-test | Config | Weights | Preds | Visuals |',
    'Instance Segmentation': '| Backbone | Lr schd | MS-train | Mask AP-val | Box AP-val | '
                             'Scores-val | Mask AP-test | Box AP-test | Scores-test | Config | '
                             'Weights | Preds | Visuals |',
    'Semantic Segmentation': '| Base Network | Iters | Input | mIoU-val | Scores-val | mIoU-test '
                             '| Scores-test | Config | Weights | Preds | Visuals |',
    'Multiple Object Tracking': '| Detector | Base Network | mMOTA-val | mIDF1-val | ID Sw.-val | '
                                'Scores-val | mMOTA-test | mIDF1-test | ID Sw.-test | '
                                'Scores-test | Config | Weights | Preds | Visuals |',
    'Multiple Object Tracking and Segmentation': '| Detector | Base Network | mMOTSA-val | '
                                                 'mIDF1-val | ID Sw.-val | Scores-val | '
                                                 'mMOTSA-test | mIDF1-test | ID Sw.-test | '
                                                 'Scores-test | Config | Weights | Preds | '
                                                 'Visuals |',
    'Panoptic Segmentation': '| Backbone | Lr schd | MS-train | PQ-val | Scores-val | PQ-test | '
                             'Scores-test | Config | Weights | Preds | Visuals |',
    'Drivable Area': '| Base Network | Iters | Input | mIoU-val | Scores-val | mIoU-test '
                     '| Scores-test | Config | Weights | Preds | Visuals |',
    'Image Tagging': '| Tag | Backbone | Lr schd | Input | Accuracy-val | Scores-val | '
                     'Accuracy-test | Scores-test | Config | Weights | Preds | Visuals |',
    'Pose Estimation': '| Backbone | Heatmaps | Lr schd | Input | AP-val | Scores-val | AP-test | '
                       'Scores-test | Config | Weights | Preds | Visuals |',
}


@pytest.fixture(scope='module')
def table():
    records = load_records(RESULTS)
    return records, render(records, REPO, RESULTS, REPO, level=3)


@pytest.mark.parametrize('name', list(EXPECTED))
def test_row_equals_the_checked_row(table, name):
    records, text = table
    record = {r.name: r for r in records}[name]
    assert EXPECTED[name].format(record.config) in text.splitlines()


def test_sections_columns_and_order(table):
    records, text = table
    lines = text.splitlines()
    titles = [line[4:] for line in lines if line.startswith('### ')]
    assert titles == [t for t in HEADERS if HEADERS[t] in lines]  # Vis4D's section order
    for title in titles:
        assert HEADERS[title] in lines
    checked = [r for r in records if r.name in EXPECTED]  # the zoo grows beyond the checked rows
    rows = [EXPECTED[r.name].format(r.config) for r in sorted(checked, key=lambda r: list(
        EXPECTED).index(r.name))]
    assert [line for line in lines if line in rows] == rows  # Vis4D's order
    assert 'published references' in lines[0]  # the † legend


def test_missing_config_fails_clearly(tmp_path):
    record = json.load(open(osp.join(RESULTS, 'faster_rcnn_r50_1x_bdd100k.json')))
    record.update(name='faster_rcnn_r50_9x_bdd100k',
                  config='configs/faster_rcnn/faster_rcnn_r50_9x_bdd100k.py')
    (tmp_path / 'faster_rcnn_r50_9x_bdd100k.json').write_text(json.dumps(record))
    with pytest.raises(FileNotFoundError, match='faster_rcnn_r50_9x_bdd100k.py, which does not'):
        render(load_records(str(tmp_path)), REPO, str(tmp_path), str(tmp_path))


def test_unknown_backbone_is_an_error_not_a_guess():
    record = load_records(RESULTS)[0]
    cfg = load_config(REPO, record)
    (cfg.model.get('detector') or cfg.model).backbone.type = 'SwinTransformer'
    with pytest.raises(ConfigFactError, match='cannot name the backbone'):
        backbone_name(cfg)


def test_committed_tables_pages_and_index_are_current(capsys):
    """README summary, results/README.md, every configs/<family>/README.md and
    metafile.yml, model-index.yml: as generated (one line says so)."""
    assert load_tool('model_zoo/gen_tables').main(['--check']) == 0
    out = capsys.readouterr().out
    assert out.startswith('zoo tables, pages and model index are current (')
    assert out.count('\n') == 1


def test_check_detects_a_stale_table(tmp_path, capsys):
    results, readme = tmp_path / 'results', tmp_path / 'README.md'
    results.mkdir()
    shutil.copy(osp.join(RESULTS, 'faster_rcnn_r50_1x_bdd100k.json'), results)
    readme.write_text('# x\n\n<!-- zoo-table:start -->\nold\n<!-- zoo-table:end -->\ntail\n')
    args = ['--results-dir', str(results), '--readme', str(readme)]
    gen = load_tool('model_zoo/gen_tables')
    assert gen.main(args + ['--check']) == 1  # never generated
    assert gen.main(args) == 0
    assert gen.main(args + ['--check']) == 0
    text = readme.read_text()
    assert text.endswith('<!-- zoo-table:end -->\ntail\n')
    # the README summarises: a row per family (its page, configs, best val score)
    faster_rcnn = osp.relpath(osp.join(REPO, 'configs/faster_rcnn/README.md'), tmp_path)
    assert f'| [Faster R-CNN]({faster_rcnn}) | 1 | 31.2† |' in text.splitlines()

    record = json.loads((results / 'faster_rcnn_r50_1x_bdd100k.json').read_text())
    record['published']['val']['scores']['AP'] = 31.3  # a record changes, the table does not
    (results / 'faster_rcnn_r50_1x_bdd100k.json').write_text(json.dumps(record))
    capsys.readouterr()
    assert gen.main(args + ['--check']) == 1
    assert 'stale zoo table(s)' in capsys.readouterr().err
    assert gen.main(args) == 0 and '| 31.3† |' in readme.read_text()


def test_a_full_disk_leaves_every_generated_file_whole(tmp_path):
    """A file size limit (a full disk) or Ctrl-C while the README is written leaves
    the old README, not one cut at the limit; the temporary file is removed."""
    results, readme = tmp_path / 'results', tmp_path / 'README.md'
    results.mkdir()
    shutil.copy(osp.join(RESULTS, 'faster_rcnn_r50_1x_bdd100k.json'), results)
    old = '# x\n\n' + 'a long introduction\n' * 2000 + f'{START}\n{END}\n'  # 40 KB
    readme.write_text(old)
    gen = load_tool('model_zoo/gen_tables')
    with full_disk(16 * 1024), pytest.raises(OSError):
        gen.main(['--results-dir', str(results), '--readme', str(readme)])
    assert readme.read_text() == old
    assert not [p for p in tmp_path.rglob('*') if '.tmp' in p.name]
    assert gen.main(['--results-dir', str(results), '--readme', str(readme)]) == 0
    assert '| 31.2† |' in readme.read_text()


def test_a_config_linked_from_outside_configs_is_refused(tmp_path):
    """A record names configs/<family>/<name>.py, but a link there to a file elsewhere
    is still not executed."""
    record = load_records(RESULTS)[0]
    (tmp_path / osp.dirname(record.config)).mkdir(parents=True)  # its family's folder
    (tmp_path / 'elsewhere.py').write_text('import os  # would run\n')
    (tmp_path / record.config).symlink_to(tmp_path / 'elsewhere.py')
    with pytest.raises(RecordError, match=f'config {record.config} is .*elsewhere.py, outside'):
        load_config(str(tmp_path), record)
