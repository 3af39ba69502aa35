"""Distribution Planning Workbench: the domain package (no UI code)."""

from .errors import DataError, Problem, SolverError, SpecificationError, WorkbenchError

__all__ = ["DataError", "Problem", "SolverError", "SpecificationError", "WorkbenchError"]
__version__ = "0.1.0"
