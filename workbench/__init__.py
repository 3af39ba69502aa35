"""Distribution Planning Workbench: the domain package (no UI code).

    >>> import workbench
    >>> world = workbench.load_sample()
    >>> world.customers.head()

Planning modules live in sub-packages (``workbench.network``, ``workbench.channels``,
``workbench.forecast``, ``workbench.inventory``, ``workbench.routing``, ``workbench.scenarios``)
and are imported on use, so ``import workbench`` stays fast.
"""

from .errors import DataError, Problem, SolverError, SpecificationError, WorkbenchError
from .schema import SCHEMAS
from .world import DEFAULT_CURRENCY, TABLES, World, load_files, load_sample, load_world

__all__ = [
    "DataError",
    "Problem",
    "SolverError",
    "SpecificationError",
    "WorkbenchError",
    "DEFAULT_CURRENCY",
    "SCHEMAS",
    "TABLES",
    "World",
    "load_files",
    "load_sample",
    "load_world",
]
__version__ = "0.1.0"
