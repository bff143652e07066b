"""Land requisition: farmers lose their land on the city's schedule, and the rules in force decide what
follows (cash compensation always; urban social security, urban hukou, a resettlement apartment).

One place for the phase: the fast engine's kernel (abm.kernels.labour.requisition) and the Mesa farmer
(LandLosingFarmer.requisition) both call the functions below, in id order.

    columns read      status, group, land, district, tenure, hukou
    columns written   land, compensation, savings, urban_ss, hukou, tenure, rent, resettled
    rules             land_requisition_rate, compensation_per_mu, farmers_urban_ss, requisitioned_hukou,
                      homestead_exchange, resettled_hukou (abm.rules)
    flows             hukou_conversions
    shared capacity   resettlement units per district, given in id order
"""

from abm import rng
from abm.decisions import jit
from abm.state import CONVERTED, FARMER, NO_HOME, RESETTLEMENT

# random streams, by name
REQUISITION = rng.stream("land.requisition")


@jit
def monthly_rate(r):
    """The share of remaining farmland requisitioned this month (0 where the city takes none)."""
    return r[0].land_requisition_rate / 12.0


@jit
def loses_land(r, seed, step, i, group, land):
    """Whether household i's land is requisitioned this month."""
    return group == FARMER and land > 0.0 and rng.draw(seed, step, i, REQUISITION) < monthly_rate(r)


@jit
def compensate(r, land, compensation, savings, urban_ss, hukou):
    """The land goes for cash, and maybe urban social security and urban hukou:
    (land, compensation, savings, urban_ss, hukou, converted)."""
    pay = land * r[0].compensation_per_mu
    compensation += pay
    savings += pay
    if r[0].farmers_urban_ss > 0:
        urban_ss = 1
    converted = r[0].requisitioned_hukou > 0
    if converted:
        hukou = CONVERTED
    return 0.0, compensation, savings, urban_ss, hukou, converted


@jit
def resettle(r, units, occupied, district, tenure, hukou):
    """A resettlement apartment where the rules exchange homesteads and the district has one free; the
    move is booked in `occupied`: (resettled, tenure, hukou, converted). Rent is 0 in a resettlement home."""
    if r[0].homestead_exchange == 0 or units[district, RESETTLEMENT] <= occupied[district, RESETTLEMENT]:
        return False, tenure, hukou, False
    if tenure != NO_HOME:
        occupied[district, tenure] -= 1
    occupied[district, RESETTLEMENT] += 1
    converted = r[0].resettled_hukou > 0 and hukou != CONVERTED
    return True, RESETTLEMENT, CONVERTED if converted else hukou, converted


# what each function returns, by name (the phase's unit cases in tests/phases/requisition.yaml read them)
RETURNS = {
    "monthly_rate": ("rate",),
    "loses_land": ("loses_land",),
    "compensate": ("land", "compensation", "savings", "urban_ss", "hukou", "converted"),
    "resettle": ("resettled", "tenure", "hukou", "converted"),
}
