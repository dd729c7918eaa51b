"""Triton: export registered versions to a Triton model repository (ONNX); call models on a Triton server.

Both import their engines (mlflow, skl2onnx, onnxmltools, torch, tritonclient) only when used.
"""

from matih_workbench.backends.triton.export import TritonExport, TritonTensor, export_to_triton
from matih_workbench.backends.triton.remote import TritonRemoteModel

__all__ = ["TritonExport", "TritonRemoteModel", "TritonTensor", "export_to_triton"]
