"""Cost optimisation: recommendations for one tenant, each with its monthly saving and its risk, and applying them.

``rules`` proposes changes (replica and node bounds from the forecaster's history replay, node size
from bin-packing the tenant's requests, database and cache class from utilisation history, spot
capacity where the tier allows); ``reprice`` prices each proposal by rendering the edited tenant and
costing it exactly as ``tenantctl cost`` does, so a saving is the difference of two estimates, never
a rule of thumb; ``apply`` writes the chosen ones to the tenant file, keeping its comments, only when
the result still validates and plans with zero mandatory violations.
"""
