"""Assistance: the minimum living allowance (dibao), topping income up to the line, and temporary
assistance for households without work or savings, each taken up with a probability.

One place for the phase: the fast engine (abm.kernels.welfare.assistance) decides every household's
claims in parallel and books them in id order; the Mesa agent (Household.claim_assistance) does both for
itself. Both call `claim`.

    columns read      status, hukou, registered, urban_ss, employment, size, savings, income (after the month's
                      health spending, abm.phases.health), and the month's shock: a catastrophic health episode
                      (from the health phase) or a disaster (drawn here, `disaster_rate`)
    columns written   income, assistance, dibao, temp_assist
    behaviour         dibao_takeup, temp_takeup, disaster_rate (abm.parameters)
    rules             dibao_line_urban, dibao_line_rural, dibao_migrants, temp_assist_migrants,
                      temp_assist_amount, temp_assist_unemployed (abm.rules)
    flows             budget_assistance (dibao, then temporary assistance), temporary_assistance_recipients
"""

from abm import decisions as dec
from abm import rng
from abm.decisions import jit

# random streams, by name
DIBAO_TAKEUP = rng.stream("welfare.dibao_takeup")
TEMP_TAKEUP = rng.stream("welfare.temp_takeup")
DISASTER = rng.stream("welfare.disaster")


@jit
def shocked(p, seed, step, i, catastrophic):
    """A sudden shock this month: a catastrophic health episode, or a disaster or accident (`disaster_rate`)."""
    return catastrophic == 1 or rng.draw(seed, step, i, DISASTER) < p[0].disaster_rate


@jit
def claim(p, r, seed, step, i, hukou, registered, urban_ss, employment, size, savings, income, catastrophic):
    """Household i's claims this month: (income, assistance, dibao, temp_assist, dibao_pay, temp_pay), income
    after the payments, dibao and temp_assist 1 where paid. `catastrophic`: 1 after a catastrophic health
    episode this month (abm.phases.health)."""
    assistance, dibao, temp_assist, dibao_pay, temp_pay = 0.0, 0, 0, 0.0, 0.0
    line = dec.dibao_line(r, hukou, urban_ss)
    pc = income / size
    if (dec.dibao_eligible(r, hukou, registered) and pc < line
            and rng.draw(seed, step, i, DIBAO_TAKEUP) < p[0].dibao_takeup):
        dibao_pay = (line - pc) * size
        income += dibao_pay
        assistance += dibao_pay
        dibao = 1
    if (dec.temp_assist_eligible(r, hukou, employment, savings, shocked(p, seed, step, i, catastrophic), pc, line)
            and rng.draw(seed, step, i, TEMP_TAKEUP) < p[0].temp_takeup):
        temp_pay = r[0].temp_assist_amount
        income += temp_pay
        assistance += temp_pay
        temp_assist = 1
    return income, assistance, dibao, temp_assist, dibao_pay, temp_pay


# what each function returns, by name (the phase's unit cases in tests/phases/assistance.yaml read them)
RETURNS = {
    "shocked": ("shock",),
    "claim": ("income", "assistance", "dibao", "temp_assist", "dibao_pay", "temp_pay"),
}
