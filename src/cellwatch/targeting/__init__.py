"""Search targeting: a ranked list of cells and landings to search, with the expected
number of finds, and the ranking's measured hit rate against a random choice of cells.

Public API::

    rank_locations(settings, store, establishment, day, level="CELL", top=None) -> Ranking
    evaluate_ranking(settings, store, start, end, top=10, every_days=7) -> Evaluation
    default_params() -> ModelParams            # the model's numbers, from data/model.yaml
"""

from cellwatch.targeting.evaluate import Evaluation, evaluate_ranking
from cellwatch.targeting.params import ModelParams, default_params
from cellwatch.targeting.rank import Ranking, rank_locations

__all__ = ["Evaluation", "ModelParams", "Ranking", "default_params", "evaluate_ranking",
           "rank_locations"]
