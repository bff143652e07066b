"""Yanta District, Xi'an: hukou by a stable job, a rented home and years of pension contributions.

The pilot (seeds/000_ec5a7b7d934ae25e.txt, chapter two, section III; the Chinese manual
seeds/001_fd4b46c307f335a2.txt gives the same table) replaces the status quo, where only owners of a
home in the district could settle, with hukou for "migrants who have a stable job and a stable living
residence (including rented residence), and have paid social security premium for a successive number
of years"; it extends assistance to migrant households in hardship ("new citizens" medical assistance
and aid), and distributes training subsidies as education coupons to local farmers and migrants. It
monitors the number of migrants who obtain urban hukou and training person-times.

In the model: hukou needs no owned home; a rented home other than an urban-village room or a
dormitory qualifies; `job_months` in a formal job and `pension_years` of unbroken pension contributions
are required, within a larger annual quota; migrants in hardship may claim temporary assistance, and,
optionally, registered migrants the minimum living allowance; coupons raise the training take-up of
migrants and farmers, at `coupon_value` a course.
"""

from abm.parameters import ASSUMPTION, NDRC_EN, Param
from abm.policies.base import Policy


class Yanta(Policy):
    name = "yanta"
    title = "Hukou by stable job, rented residence and years of contributions; hardship aid; training coupons"
    parameters = (
        Param("job_months", 12, "months", 0, 120, "months in the current formal job required", ASSUMPTION,
              integer=True),
        Param("pension_years", 2, "years", 0, 15, "consecutive years of urban pension contributions required",
              "the number is not in the seeds ('a successive number of years', " + NDRC_EN + ")", integer=True),
        Param("quota_share", 0.03, "per year", 0.0, 1.0, "annual hukou quota, share of initial migrant households",
              ASSUMPTION),
        Param("hardship_assistance", 1, "flag", 0, 1, "migrants in hardship may claim temporary assistance",
              NDRC_EN, integer=True),
        Param("assistance_amount", 1000.0, "yuan", 0.0, 1e5, "one temporary assistance payment", ASSUMPTION),
        Param("dibao_for_migrants", 0, "flag", 0, 1, "registered migrants may claim the minimum living allowance",
              "optional in the pilot", integer=True),
        Param("coupon_rate", 0.01, "per month", 0.0, 1.0, "training take-up of migrants and farmers with coupons",
              ASSUMPTION),
        Param("coupon_value", 1500.0, "yuan", 0.0, 1e5, "public cost of one coupon course", ASSUMPTION),
    )
    phases = ("registration", "labour", "assistance")

    def rules(self, current):
        v = self.values
        return {"hukou_needs_owned": 0, "hukou_rented_ok": 1, "hukou_job_months": v["job_months"],
                "hukou_pension_years": v["pension_years"], "hukou_quota_share": v["quota_share"],
                "temp_assist_migrants": v["hardship_assistance"], "temp_assist_amount": v["assistance_amount"],
                "dibao_migrants": v["dibao_for_migrants"], "training_rate_migrant": v["coupon_rate"],
                "training_rate_farmer": v["coupon_rate"], "training_cost": v["coupon_value"]}
