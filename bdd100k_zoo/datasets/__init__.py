from .det import BDD100KDetDataset

__all__ = ['BDD100KDetDataset']
