"""The model zoo's data: result records (``results/*.json``) and what is generated
from them (tables, family pages, model index); the tools that record a run and
generate the pages are in ``tools/model_zoo/``."""
from .records import (SPLITS, Checkpoint, Measurement, Record, RecordError, Reference,
                      load_record, load_records, save_record, set_measured)

__all__ = ['SPLITS', 'Checkpoint', 'Measurement', 'Record', 'RecordError', 'Reference',
           'load_record', 'load_records', 'save_record', 'set_measured']
