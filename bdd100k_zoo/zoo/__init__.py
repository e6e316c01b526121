"""The model zoo: result records (``results/*.json``), the tables generated
from them (``tools/gen_results_table.py``) and what ``tools/test.py`` adds to
a record after an evaluation (:func:`record_run`)."""
from .records import (SPLITS, Checkpoint, Measurement, Record, RecordError, Reference,
                      load_record, load_records, save_record, set_measured)
from .run import record_run

__all__ = ['SPLITS', 'Checkpoint', 'Measurement', 'Record', 'RecordError', 'Reference',
           'load_record', 'load_records', 'save_record', 'set_measured', 'record_run']
