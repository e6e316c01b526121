"""The zoo's results tables, generated from the records and the configs.

Sections, columns and their order follow Vis4D's zoo (Vis4D's
``zoo/bdd100k/README.md``, test columns as in the mmdet 2.x BDD100K zoo).
Everything describing a model (backbone, schedule, multi-scale training,
iterations, input size, detector) is read from its config with
``mmengine.Config``, so the table cannot drift from what the config trains.
A fact the reader does not recognise is an error, never a guess.

Links: Config points into the repository; Scores / plot / Preds / Visuals
point at files in the results directory and are left empty where the file
is not there (paths outside it, e.g. a work dir, stay in the record as
provenance only, so the table comes out the same on every checkout).
"""
import os.path as osp
from collections import OrderedDict
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from mmengine.config import Config

from .records import Record
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

def load_config(repo_root: str, record: Record) -> Config:
    path = osp.join(repo_root, record.config)
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'results/{record.name}.json names config {record.config}, which does not '
            f'exist: add the config (or remove the record) before generating the table')
    return Config.fromfile(path, import_custom_modules=False)


def _detector(cfg: Config) -> dict:
    """The detector of a model; for a tracker (QDTrack) its ``detector``."""
    return cfg.model.get('detector', cfg.model)


def _fact_error(cfg: Config, what: str, value) -> ConfigFactError:
    return ConfigFactError(f'{cfg.filename}: cannot name the {what} from {value!r}; '
                           f'teach bdd100k_zoo/zoo/table.py this {what}')


YOLOX_SIZES = {(0.33, 0.375): 'tiny', (0.33, 0.5): 's', (0.67, 0.75): 'm', (1.0, 1.0): 'l',
               (1.33, 1.25): 'x'}
DETECTORS = {'FasterRCNN': 'Faster R-CNN', 'MaskRCNN': 'Mask R-CNN', 'RetinaNet': 'RetinaNet',
             'CascadeRCNN': 'Cascade R-CNN', 'FCOS': 'FCOS'}


def backbone_name(cfg: Config) -> str:
    """``R-50-FPN`` style, as Vis4D writes it; CSPDarknet is ``CSPNet``."""
    model = _detector(cfg)
    backbone = model.backbone
    if backbone.type in ('ResNet', 'ResNetV1c', 'ResNetV1d', 'mmdet.ResNet', 'mmseg.ResNetV1c'):
        name = f'R-{backbone.depth}'
        neck = model.get('neck')
        neck_type = neck.type.split('.')[-1] if neck else None
        return name + '-FPN' if neck_type == 'FPN' else name
    if backbone.type.split('.')[-1] == 'CSPDarknet':
        return 'CSPNet'
    raise _fact_error(cfg, 'backbone', backbone.type)


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


def _transforms(pipeline) -> List[dict]:
    """All transforms of a pipeline, also those nested in wrappers."""
    found = []
    for item in pipeline or []:
        if isinstance(item, dict):
            if 'type' in item:
                found.append(item)
            for value in item.values():
                if isinstance(value, (list, tuple)):
                    found += _transforms(value)
        elif isinstance(item, (list, tuple)):
            found += _transforms(item)
    return found


def _train_pipeline(cfg: Config):
    dataset = cfg.train_dataloader.dataset
    while 'pipeline' not in dataset and 'dataset' in dataset:  # dataset wrappers
        dataset = dataset.dataset
    if 'datasets' in dataset:  # ConcatDataset
        return [t for d in dataset.datasets for t in d.get('pipeline', [])]
    return dataset.get('pipeline', [])


def multi_scale_train(cfg: Config) -> bool:
    """Training resizes to a randomly chosen scale (mmdet RandomChoiceResize / RandomResize)."""
    for t in _transforms(_train_pipeline(cfg)):
        kind = t['type'].split('.')[-1]
        if kind in ('RandomChoiceResize', 'RandomResize'):
            return True
        if kind == 'Resize' and isinstance(t.get('scale'), list) and len(t['scale']) > 1:
            return True
    return False


def input_size(cfg: Config) -> str:
    """The training crop, ``H \\* W`` as Vis4D writes it."""
    size = cfg.model.get('data_preprocessor', {}).get('size')
    if size is None:
        crops = [t['crop_size'] for t in _transforms(_train_pipeline(cfg)) if 'crop_size' in t]
        size = crops[0] if crops else None
    if size is None:
        raise _fact_error(cfg, 'input size', 'no data_preprocessor.size or crop_size')
    return f'{size[0]} \\* {size[1]}'


# Columns before the score columns, per task: title -> fact reader.
MODEL_COLUMNS: Dict[str, 'OrderedDict[str, Callable[[Config], str]]'] = {
    'det': OrderedDict([('Backbone', backbone_name), ('Lr schd', lr_schedule),
                        ('MS-train', lambda c: '✓' if multi_scale_train(c) else '')]),
    'sem_seg': OrderedDict([('Base Network', backbone_name), ('Iters', iterations),
                            ('Input', input_size)]),
    'box_track': OrderedDict([('Detector', detector_name), ('Base Network', backbone_name)]),
}
MODEL_COLUMNS['ins_seg'] = MODEL_COLUMNS['pan_seg'] = MODEL_COLUMNS['det']
MODEL_COLUMNS['drivable'] = MODEL_COLUMNS['sem_seg']


# ---------------------------------------------------------------- cells

def columns(task: str) -> List[str]:
    cols = list(MODEL_COLUMNS[task])
    for split in ('val', 'test'):
        cols += [f'{h.column}-{split}' for h in TASK_SPECS[task].headlines] + [f'Scores-{split}']
    return cols + ['Config', 'Weights', 'Preds', 'Visuals']


def score_cell(record: Record, split: str, headline: Headline) -> str:
    ref, run = getattr(record.published, split), getattr(record.measured, split)
    key = headline.key
    published = f'{headline_value(headline, ref.scores[key])}{PUBLISHED_MARK}' \
        if ref is not None and key in ref.scores else ''
    measured = str(headline_value(headline, run.scores[key])) \
        if run is not None and key in run.scores else ''
    if measured and published:
        return f'{measured} ({published})'
    return measured or published


class _Linker:
    """Markdown links from one output file to files of the results dir / repo."""

    def __init__(self, out_dir: str, results_dir: str, repo_root: str):
        self.out_dir, self.results_dir, self.repo_root = out_dir, results_dir, repo_root

    def _link(self, text: str, target: str) -> str:
        return f'[{text}]({osp.relpath(target, self.out_dir)})'

    def result_file(self, text: str, path: Optional[str]) -> str:
        """Link a file named by a record when it lies in the results dir and exists."""
        if not path or osp.isabs(path) or path.startswith('..'):
            return ''
        target = osp.join(self.results_dir, path)
        return self._link(text, target) if osp.exists(target) else ''

    def repo_file(self, text: str, path: str) -> str:
        target = osp.join(self.repo_root, path)
        return self._link(text, target) if osp.exists(target) else ''


def row(record: Record, cfg: Config, link: _Linker) -> List[str]:
    cells = [fact(cfg) for fact in MODEL_COLUMNS[record.task].values()]
    for split in ('val', 'test'):
        cells += [score_cell(record, split, h) for h in TASK_SPECS[record.task].headlines]
        run = getattr(record.measured, split)
        scores = [link.result_file('scores', run.scores_file), link.result_file('plot', run.plot)] \
            if run is not None else []
        cells.append(' \\| '.join(c for c in scores if c))
    val = record.measured.val
    weights = record.weights
    cells += [link.repo_file('config', record.config),
              f'[model]({weights.file}) \\| sha256 `{weights.sha256[:8]}`' if weights else '',
              link.result_file('preds', val.preds) if val else '',
              link.result_file('visuals', val.visuals) if val else '']
    return cells


def _markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> List[str]:
    lines = ['| ' + ' | '.join(header) + ' |', '| ' + ' | '.join([':-:'] * len(header)) + ' |']
    return lines + ['| ' + ' | '.join(cells) + ' |' for cells in rows]


def render(records: Sequence[Record], repo_root: str, results_dir: str, out_dir: str,
           level: int = 2, configs: Optional[Dict[str, Config]] = None) -> str:
    """The zoo tables as markdown: a ``level`` heading per task, one level
    below per model (the record's ``model``), one row per record (sorted by name), links
    relative to ``out_dir``."""
    configs = configs if configs is not None else {
        r.name: load_config(repo_root, r) for r in records}
    link = _Linker(out_dir, results_dir, repo_root)
    lines = [LEGEND, '']
    for task, spec in TASK_SPECS.items():
        task_records = sorted((r for r in records if r.task == task), key=lambda r: r.name)
        if not task_records:
            continue
        lines += ['#' * level + ' ' + spec.section, '']
        families: 'OrderedDict[str, List[Tuple[Record, Config]]]' = OrderedDict()
        for r in task_records:
            families.setdefault(r.model, []).append((r, configs[r.name]))
        for family, members in families.items():
            lines += ['#' * (level + 1) + ' ' + family, '']
            lines += _markdown_table(columns(task), [row(r, c, link) for r, c in members])
            lines.append('')
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
