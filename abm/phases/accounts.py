"""The household accounts: rent and savings, and the public spending each household's situation books on
the city's budget lines.

One place for the phase: the fast engine (abm.kernels.welfare.accounts) settles every household in
parallel and books the budget in id order; the Mesa agent (Household.settle_accounts) does both for
itself. Both call the functions below. A new budget line paid per household is one more value in
`spending` (and its line in abm.state.FLOWS).

    columns read      tenure, district, income, school, kids_school, urban_ss, coproducing
    columns written   rent, savings
    behaviour         saving_rate (abm.parameters)
    rules             public_cost_per_pupil, migrant_school_subsidy, public_rental_subsidy, compound_subsidy,
                      ss_subsidy, coproduction_cost, rents and fees (abm.rules)
"""

from abm import decisions as dec
from abm.decisions import jit
from abm.state import COMPOUND, NO_HOME, PRIVATE_MIGRANT, PUBLIC, PUBLIC_RENTAL


@jit
def rent_and_savings(p, r, tenure, market_rent, income, rent, school, kids_school, savings):
    """The month's rent (a household without a home keeps its last) and savings after rent and school fees:
    (rent, savings)."""
    if tenure != NO_HOME:
        rent = dec.tenure_rent(r, tenure, market_rent, income)
    net = income - rent - dec.school_fee(r, school, kids_school)
    savings += p[0].saving_rate * net if net > 0.0 else net
    return rent, savings


@jit
def spending(r, tenure, school, kids_school, urban_ss, coproducing):
    """Public spending on this household this month, by budget line:
    (education, housing, insurance subsidy, community)."""
    education = 0.0
    if school == PUBLIC:
        education = r[0].public_cost_per_pupil * kids_school
    elif school == PRIVATE_MIGRANT:
        education = r[0].migrant_school_subsidy * kids_school
    housing = 0.0
    if tenure == PUBLIC_RENTAL:
        housing = r[0].public_rental_subsidy
    elif tenure == COMPOUND:
        housing = r[0].compound_subsidy
    insurance = r[0].ss_subsidy if urban_ss == 1 else 0.0
    community = r[0].coproduction_cost if coproducing == 1 else 0.0
    return education, housing, insurance, community


# what each function returns, by name (the phase's unit cases in tests/phases/accounts.yaml read them)
RETURNS = {
    "rent_and_savings": ("rent", "savings"),
    "spending": ("education", "housing", "insurance", "community"),
}
