"""maskverify: property-based verification of Liao & Kyrillidis (arXiv:2112.02668v1).

Sub-packages (one import namespace; each maps a top-level folder of the repository):

* ``maskverify.theory``     -- the paper in sympy: symbols, hypotheses, conclusions, constants (no torch).
* ``maskverify.impl``       -- Algorithm 1, masks, NTKs and trajectories in torch (no hypothesis).
* ``maskverify.properties`` -- strategies, statistical verdicts, the runner, hunting, replay, the report.

Glossary (paper symbols; never ``rate``/``dropout``/``keep_prob``): ``n`` samples, ``d`` input dimension,
``m`` hidden neurons, ``p`` number of subnetworks, ``xi`` probability that a neuron is selected by one
subnetwork, ``tau`` local steps, ``K`` global iterations, ``eta`` local step size, ``kappa`` initialization
scale, ``lambda_0`` smallest eigenvalue of ``H^inf``, ``theta = 1 - (1 - xi)^p``.
"""

from maskverify._version import __version__

PAPER = "arXiv:2112.02668v1"

__all__ = ["PAPER", "__version__"]
