"""The status quo, as the seeds describe it before the pilots.

Urban hukou needs an owned home and a residence permit and is rationed by an
annual quota; public-school seats go to local-hukou children first, with any
seats left to migrants; the minimum living allowance is for local hukou only;
few employers enrol migrant workers in social insurance (NDRC/UNFPA tool kit,
seeds/000_ec5a7b7d934ae25e.txt, chapter one). Every rule in abm.rules is a
parameter of this policy, so a config can restate the status quo itself, e.g.
`baseline: {insurance_share_migrant: 0.3}`.
"""

from abm.policies.base import PHASES, Policy
from abm.rules import RULES


class Baseline(Policy):
    name = "baseline"
    title = "Status quo: hukou by home ownership, hukou-first schooling, local-only assistance"
    parameters = RULES
    phases = tuple(p for p in PHASES if p != "city")  # every phase reads some status-quo rule

    def rules(self, current):
        return dict(self.values)
