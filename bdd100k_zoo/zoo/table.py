"""The zoo's results tables, generated from the records and the configs.

Sections, columns and their order follow Vis4D's zoo (Vis4D's
``zoo/bdd100k/README.md``, test columns as in the mmdet 2.x BDD100K zoo).
Everything describing a model (backbone, schedule, multi-scale training,
iterations, input size, detector) is read from its config, so the table cannot
drift from what the config trains; a fact the reader does not recognise is an
error, never a guess. Scores / plot / Preds / Visuals link files of the results
directory where they are there (a work dir elsewhere stays in the record as
provenance only, so the table comes out the same on every checkout).
"""
import copy
import multiprocessing
import os
import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from mmengine.config import Config

from .records import SPLITS, Record, RecordError
from ..labels import config_tag
from ..tasks import TASK_SPECS, Headline, headline_value

PUBLISHED_MARK = '†'
LEGEND = (f'Numbers marked {PUBLISHED_MARK} are published references (Vis4D\'s zoo; '
          'SysCV/bdd100k-models for the tasks Vis4D has none of) '
          '(source in the model\'s record `results/<config name>.json`), not measured by '
          'this code; unmarked numbers were measured with `tools/test.py`. Where both '
          f'exist, the measured one is shown first, e.g. `31.0 (31.2{PUBLISHED_MARK})`.')


class ConfigFactError(ValueError):
    """A model fact the table needs cannot be read from the config."""


# ---------------------------------------------------------------- config facts

def load_configs(repo_root: str, records: Sequence[Record]) -> Dict[str, Config]:
    """{record name: its config}, parsed on every core (:func:`read_configs`)."""
    paths = [config_path(repo_root, record) for record in records]
    return dict(zip((r.name for r in records), read_configs(paths)))


def load_config(repo_root: str, record: Record) -> Config:
    return read_config(config_path(repo_root, record))


def config_path(repo_root: str, record: Record) -> str:
    """The record's config; it must be a file under ``configs/``, also through links
    (loading a config executes it)."""
    configs = osp.realpath(osp.join(repo_root, 'configs'))
    path = osp.realpath(osp.join(repo_root, record.config))
    if osp.commonpath([configs, path]) != configs:
        raise RecordError(f'results/{record.name}.json: config {record.config} is {path}, '
                          f'outside {configs}')
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'results/{record.name}.json names config {record.config}, which does not '
            f'exist: add the config (or remove the record) before generating the table')
    return path


def read_config(path: str) -> Config:
    """A config file as mmengine parses it (custom imports not imported: the
    facts read here do not need them), a fresh copy each call. The parse is
    kept per process and file version: mmengine re-reads every metafile of
    mmdet / mmseg for each ``::`` base, about a second a config, and the
    generator and its checks read each of ~200 configs several times."""
    key = _version(path)
    if key not in _PARSED:
        _PARSED[key] = _parse(key)
    return copy.deepcopy(_PARSED[key])


def read_configs(paths: Sequence[str]) -> List[Config]:
    """:func:`read_config` of many files, the ones not parsed yet parsed on every
    core (the parse is single-threaded Python)."""
    missing = sorted({_version(p) for p in paths} - set(_PARSED))
    if len(missing) > 1 and (os.cpu_count() or 1) > 1:
        # spawned, not forked: a fork of a process that has run torch can hang
        with multiprocessing.get_context('spawn').Pool(os.cpu_count()) as pool:
            _PARSED.update(zip(missing, pool.map(_parse, missing, chunksize=4)))
    return [read_config(p) for p in paths]


_PARSED: Dict[Tuple[str, int], Config] = {}


def _version(path: str) -> Tuple[str, int]:
    path = osp.realpath(path)
    return path, os.stat(path).st_mtime_ns


def _parse(version: Tuple[str, int]) -> Config:
    return Config.fromfile(version[0], import_custom_modules=False)


def _detector(cfg: Config) -> dict:
    """The detector of a model; for a tracker (QDTrack) its ``detector``."""
    return cfg.model.get('detector', cfg.model)


def _fact_error(cfg: Config, what: str, value) -> ConfigFactError:
    return ConfigFactError(f'{cfg.filename}: cannot name the {what} from {value!r}; '
                           f'teach bdd100k_zoo/zoo/table.py this {what}')


YOLOX_SIZES = {(0.33, 0.375): 'tiny', (0.33, 0.5): 's', (0.67, 0.75): 'm', (1.0, 1.0): 'l',
               (1.33, 1.25): 'x'}
SWIN_SIZES = {(96, (2, 2, 6, 2)): 'Swin-T', (96, (2, 2, 18, 2)): 'Swin-S',
              (128, (2, 2, 18, 2)): 'Swin-B', (192, (2, 2, 18, 2)): 'Swin-L'}
PVT_SIZES = {(2, 2, 2, 2): 'PVT-T', (3, 4, 6, 3): 'PVT-S', (3, 4, 18, 3): 'PVT-M',
             (3, 8, 27, 3): 'PVT-L'}
PVTV2_SIZES = {(32, (2, 2, 2, 2)): 'PVTv2-B0', (64, (2, 2, 2, 2)): 'PVTv2-B1',
               (64, (3, 4, 6, 3)): 'PVTv2-B2', (64, (3, 4, 18, 3)): 'PVTv2-B3',
               (64, (3, 8, 27, 3)): 'PVTv2-B4', (64, (3, 6, 40, 3)): 'PVTv2-B5'}
CONVNEXT_SIZES = {'tiny': 'ConvNeXt-T', 'small': 'ConvNeXt-S', 'base': 'ConvNeXt-B',
                  'large': 'ConvNeXt-L', 'xlarge': 'ConvNeXt-XL'}
VIT_SIZES = {384: 'S', 768: 'B'}
DETECTORS = {'FasterRCNN': 'Faster R-CNN', 'MaskRCNN': 'Mask R-CNN', 'RetinaNet': 'RetinaNet',
             'CascadeRCNN': 'Cascade R-CNN', 'FCOS': 'FCOS'}


def backbone_name(cfg: Config) -> str:
    """``R-50-FPN`` style, as Vis4D writes it; CSPDarknet is ``CSPNet``."""
    model = _detector(cfg)
    backbone = model.backbone
    if backbone.type in ('ResNet', 'ResNetV1c', 'ResNetV1d', 'mmdet.ResNet', 'mmseg.ResNetV1c'):
        name = f'R-{backbone.depth}'
        if tuple(backbone.get('strides', ())) == (1, 2, 1, 1):  # dilated, output stride 8
            return name + '-D8'
        neck = model.get('neck')
        if isinstance(neck, (list, tuple)):  # FPN + BFP (Libra R-CNN), FPN + DyHead
            neck = neck[0]
        neck_type = neck.type.split('.')[-1] if neck else None
        return name + '-FPN' if neck_type == 'FPN' else name
    kind = backbone.type.split('.')[-1]
    if kind == 'VGG':
        return f'VGG-{backbone.depth}'
    if kind == 'MobileNetV2':
        return kind
    if kind == 'CSPDarknet':
        return 'CSPNet'
    if kind == 'HRNet':  # HRNetV2p-W<width of the first branch>
        return f'HRNet-w{backbone.extra.stage2.num_channels[0]}'
    if kind == 'VisionTransformer' and backbone.get('embed_dims') in VIT_SIZES:
        # DeiT is ViT's architecture trained otherwise: its initial weights tell them apart
        weights = str(model.get('pretrained') or backbone.get('init_cfg') or '')
        return f"{'DeiT' if 'deit' in weights else 'ViT'}-{VIT_SIZES[backbone.embed_dims]}"
    # transformers and ConvNeXt as the earlier BDD100K zoo names them (Swin-T, PVTv2-B0), from
    # the sizes their config states (a left-out default is not guessed)
    get = backbone.get
    sizes = {'SwinTransformer': (SWIN_SIZES, (get('embed_dims'), tuple(get('depths') or ()))),
             'PyramidVisionTransformer': (PVT_SIZES, tuple(get('num_layers') or ())),
             'PyramidVisionTransformerV2': (
                 PVTV2_SIZES, (get('embed_dims'), tuple(get('num_layers') or ()))),
             'ConvNeXt': (CONVNEXT_SIZES, str(get('arch')))}  # arch may be a dict
    names, key = sizes.get(kind, ({}, None))
    size = names.get(key)
    if size is None:  # an unknown backbone, or a size no zoo config has
        raise _fact_error(cfg, 'backbone', backbone)
    return size


def detector_name(cfg: Config) -> str:
    model = _detector(cfg)
    kind = model.type.split('.')[-1]
    if kind == 'YOLOX':
        key = (round(model.backbone.deepen_factor, 2), round(model.backbone.widen_factor, 3))
        if key not in YOLOX_SIZES:
            raise _fact_error(cfg, 'YOLOX size', key)
        return f'YOLOX-{YOLOX_SIZES[key]}'
    if kind not in DETECTORS:
        raise _fact_error(cfg, 'detector', model.type)
    return DETECTORS[kind]


def lr_schedule(cfg: Config) -> str:
    """``1x`` = 12 epochs, as mmdet names schedules; other lengths as ``25e``."""
    epochs = cfg.train_cfg.get('max_epochs')
    if not epochs:
        raise _fact_error(cfg, 'epoch schedule', cfg.train_cfg)
    return f'{epochs // 12}x' if epochs % 12 == 0 else f'{epochs}e'


def iterations(cfg: Config) -> str:
    iters = cfg.train_cfg.get('max_iters')
    if not iters:
        raise _fact_error(cfg, 'iteration schedule', cfg.train_cfg)
    return f'{iters // 1000}K' if iters % 1000 == 0 else str(iters)


def _transforms(node) -> List[dict]:
    """Every transform (a dict with a ``type``) in the training dataset, also in
    dataset wrappers and nested transforms."""
    if isinstance(node, dict):
        return [node] * ('type' in node) + [t for v in node.values() for t in _transforms(v)]
    return [t for v in node for t in _transforms(v)] if isinstance(node, (list, tuple)) else []


def multi_scale_train(cfg: Config) -> bool:
    """Training resizes to a randomly chosen scale (mmdet RandomChoiceResize / RandomResize)."""
    for t in _transforms(cfg.train_dataloader.dataset):
        kind = t['type'].split('.')[-1]
        if kind in ('RandomChoiceResize', 'RandomResize'):
            return True
        if kind == 'Resize' and isinstance(t.get('scale'), list) and len(t['scale']) > 1:
            return True
    return False


def input_size(cfg: Config) -> str:
    """The training crop, ``H \\* W`` as Vis4D writes it."""
    crops = [t['crop_size'] for t in _transforms(cfg.train_dataloader.dataset)
             if 'crop_size' in t]
    size = cfg.model.get('data_preprocessor', {}).get('size') or next(iter(crops), None)
    if size is None:
        raise _fact_error(cfg, 'input size', 'no data_preprocessor.size or crop_size')
    return f'{size[0]} \\* {size[1]}'


def center_crop(cfg: Config) -> str:
    """The square the classifier sees at test time (its ``CenterCrop``), ``H \\* W``."""
    crops = [t['crop_size'] for t in cfg.test_dataloader.dataset.pipeline
             if t['type'].split('.')[-1] == 'CenterCrop']
    if not crops:
        raise _fact_error(cfg, 'input size', 'no CenterCrop in the test pipeline')
    height, width = crops[0] if isinstance(crops[0], (tuple, list)) else (crops[0], ) * 2
    return f'{height} \\* {width}'


def pose_input(cfg: Config) -> str:
    """The person crop a top-down pose model sees (its codec's ``input_size``), ``H \\* W``."""
    width, height = cfg.model.head.decoder.input_size
    return f'{height} \\* {width}'


def pose_schedule(cfg: Config) -> str:
    """The earlier zoo's pose ``1x`` is 105 epochs (mmpose's COCO recipe's 210 halved)."""
    return '1x' if cfg.train_cfg.get('max_epochs') == 105 else lr_schedule(cfg)


def pose_codec(cfg: Config) -> str:
    """The heatmap encoding: mmpose's MSRA heatmaps, DARK's unbiased ones or UDP's."""
    codec = cfg.model.head.decoder
    return 'UDP' if codec.type == 'UDPHeatmap' else 'DARK' if codec.get('unbiased') else 'MSRA'


# Columns before the score columns, per task: title -> fact reader.
MODEL_COLUMNS: Dict[str, Dict[str, Callable[[Config], str]]] = {
    'det': {'Backbone': backbone_name, 'Lr schd': lr_schedule,
            'MS-train': lambda c: '✓' if multi_scale_train(c) else ''},
    'sem_seg': {'Base Network': backbone_name, 'Iters': iterations, 'Input': input_size},
    'box_track': {'Detector': detector_name, 'Base Network': backbone_name},
}
MODEL_COLUMNS['ins_seg'] = MODEL_COLUMNS['pan_seg'] = MODEL_COLUMNS['det']
MODEL_COLUMNS['drivable'] = MODEL_COLUMNS['sem_seg']
MODEL_COLUMNS['seg_track'] = MODEL_COLUMNS['box_track']
MODEL_COLUMNS['tagging'] = {'Tag': config_tag, 'Backbone': backbone_name,
                            'Lr schd': lr_schedule, 'Input': center_crop}
MODEL_COLUMNS['pose'] = {'Backbone': backbone_name, 'Heatmaps': pose_codec,
                         'Lr schd': pose_schedule, 'Input': pose_input}


# ---------------------------------------------------------------- cells

def columns(task: str) -> List[str]:
    cols = list(MODEL_COLUMNS[task])
    for split in SPLITS:
        cols += [f'{h.column}-{split}' for h in TASK_SPECS[task].headlines] + [f'Scores-{split}']
    return cols + ['Config', 'Weights', 'Preds', 'Visuals']


def score_cell(record: Record, split: str, headline: Headline) -> str:
    """The measured score, the published one (marked), or both: ``31.0 (31.2†)``."""
    entries = ((getattr(record.measured, split), ''),
               (getattr(record.published, split), PUBLISHED_MARK))
    cells = [f'{headline_value(headline, e.scores[headline.key])}{mark}'
             for e, mark in entries if e is not None and headline.key in e.scores]
    return f'{cells[0]} ({cells[1]})' if len(cells) == 2 else ''.join(cells)


def link(text: str, target: str, out_dir: str) -> str:
    return f'[{text}]({osp.relpath(target, out_dir)})'


def result_link(text: str, path: Optional[str], results_dir: str, out_dir: str) -> str:
    """A link to a file a record names, where it lies in the results dir and exists
    (a work dir elsewhere stays in the record as provenance only)."""
    target = osp.join(results_dir, path or '')
    inside = path and not osp.isabs(path) and not path.startswith('..')
    return link(text, target, out_dir) if inside and osp.exists(target) else ''


def row(record: Record, cfg: Config, repo_root: str, results_dir: str, out_dir: str) -> List[str]:
    cells = [fact(cfg) for fact in MODEL_COLUMNS[record.task].values()]
    for split in SPLITS:
        cells += [score_cell(record, split, h) for h in TASK_SPECS[record.task].headlines]
        run = getattr(record.measured, split)
        files = [result_link('scores', run.scores_file, results_dir, out_dir),
                 result_link('plot', run.plot, results_dir, out_dir)] if run else []
        cells.append(' \\| '.join(c for c in files if c))
    val, weights = record.measured.val, record.weights
    cells += [link('config', osp.join(repo_root, record.config), out_dir),
              f'[model]({weights.file}) \\| sha256 `{weights.sha256[:8]}`' if weights else '',
              result_link('preds', val.preds, results_dir, out_dir) if val else '',
              result_link('visuals', val.visuals, results_dir, out_dir) if val else '']
    return cells


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> List[str]:
    lines = ['| ' + ' | '.join(header) + ' |', '| ' + ' | '.join([':-:'] * len(header)) + ' |']
    return lines + ['| ' + ' | '.join(cells) + ' |' for cells in rows]


def render(records: Sequence[Record], repo_root: str, results_dir: str, out_dir: str,
           level: int = 2, configs: Optional[Dict[str, Config]] = None) -> str:
    """The zoo tables as markdown: a ``level`` heading per task, one level
    below per model (the record's ``model``), one row per record (sorted by name), links
    relative to ``out_dir``."""
    configs = configs if configs is not None else load_configs(repo_root, records)
    lines = [LEGEND, '']
    for task, spec in TASK_SPECS.items():
        members = sorted((r for r in records if r.task == task), key=lambda r: r.name)
        if not members:
            continue
        lines += ['#' * level + ' ' + spec.section, '']
        for family in dict.fromkeys(r.model for r in members):
            rows = [row(r, configs[r.name], repo_root, results_dir, out_dir)
                    for r in members if r.model == family]
            lines += ['#' * (level + 1) + ' ' + family, '']
            lines += markdown_table(columns(task), rows) + ['']
    return '\n'.join(lines).rstrip('\n') + '\n'


def summary(records: Sequence[Record], repo_root: str, out_dir: str) -> str:
    """The README's zoo summary: a table per task, a row per model family (its
    page, how many configs, its best val headline score); :func:`render` has
    every row."""
    lines = [LEGEND, '']
    for task, spec in TASK_SPECS.items():
        members = [r for r in records if r.task == task]
        if not members:
            continue
        headline = spec.headlines[0]
        rows = []
        for family in dict.fromkeys(r.model for r in members):
            rows_of = [r for r in members if r.model == family]
            scored = [(e.scores[headline.key], mark) for r in rows_of for e, mark in (
                (r.measured.val, ''), (r.published.val, PUBLISHED_MARK))
                if e is not None and headline.key in e.scores]
            # IDSw: fewer is better
            value, mark = (min if headline.integer else max)(
                scored, key=lambda s: s[0], default=(None, ''))
            page = osp.join(repo_root, osp.dirname(rows_of[0].config), 'README.md')
            rows.append([link(family, page, out_dir), str(len(rows_of)),
                         '' if value is None else f'{headline_value(headline, value)}{mark}'])
        lines += [f'**{spec.section}**', '']
        lines += markdown_table(['Model', 'Configs', f'best {headline.column}-val'], rows) + ['']
    return '\n'.join(lines).rstrip('\n') + '\n'


# ---------------------------------------------------------------- README section

START, END = '<!-- zoo-table:start -->', '<!-- zoo-table:end -->'


def replace_section(text: str, content: str, where: str) -> str:
    """``text`` with everything between the zoo-table markers replaced by ``content``."""
    if text.count(START) != 1 or text.count(END) != 1 or text.index(START) > text.index(END):
        raise ValueError(f'{where}: needs exactly one {START} ... {END} pair')
    head, rest = text.split(START)
    _, tail = rest.split(END)
    return f'{head}{START}\n{content}{END}{tail}'
