"""Every study runload cites, with its evidence grade vocabulary.

A flag carries a citation key; :data:`REFERENCES` resolves it to the full
reference (IEEE style, with DOI where verified) and a short study-type label
for plain-words messages.  Sources and verification status:
``../shared/research/science.md`` section 10.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

#: Evidence grades, strongest first (science.md, "Evidence grades").
EVIDENCE_GRADES = ("strong", "moderate", "weak", "expert opinion")


@dataclass(frozen=True)
class Reference:
    """One cited source.

    Attributes
    ----------
    key : str
        Citation key used in flags ('frandsen2025').
    citation : str
        Full reference, IEEE style.
    doi : str
        DOI, '' where not verified.
    study_type : str
        What kind of evidence it is, in plain words, for messages.
    """

    key: str
    citation: str
    doi: str
    study_type: str


_REFS = (
    Reference("frandsen2025",
              "J. S. B. Frandsen et al., \"How much running is too much? Identifying high-risk "
              "running sessions in a 5200-person cohort study,\" Br. J. Sports Med., vol. 59, "
              "no. 17, pp. 1203-1210, 2025.",
              "10.1136/bjsports-2024-109380", "a cohort study of 5,205 runners"),
    Reference("nielsen2014",
              "R. O. Nielsen et al., \"Excessive progression in weekly running distance and risk "
              "of running-related injuries: an association which varies according to type of "
              "injury,\" J. Orthop. Sports Phys. Ther., vol. 44, no. 10, pp. 739-747, 2014.",
              "", "a cohort study of 874 novice runners (not statistically significant)"),
    Reference("buist2008",
              "I. Buist et al., \"No effect of a graded training program on the number of "
              "running-related injuries in novice runners: a randomized controlled trial,\" "
              "Am. J. Sports Med., vol. 36, no. 1, pp. 33-39, 2008.",
              "10.1177/0363546507307505", "a randomized trial (the 10 % rule did not help)"),
    Reference("george2024",
              "E. R. M. George, K. R. Sheerin, and D. Reid, \"Criteria and guidelines for "
              "returning to running following a tibial bone stress injury: a scoping review,\" "
              "Sports Med., vol. 54, no. 9, pp. 2247-2265, 2024.",
              "10.1007/s40279-024-02051-y", "clinical return-to-run convention (level IV)"),
    Reference("foster1998",
              "C. Foster, \"Monitoring training in athletes with reference to overtraining "
              "syndrome,\" Med. Sci. Sports Exerc., vol. 30, no. 7, pp. 1164-1168, 1998.",
              "", "a small study of 25 athletes (illness, not injury)"),
    Reference("meeusen2013",
              "R. Meeusen et al., \"Prevention, diagnosis and treatment of the overtraining "
              "syndrome: joint consensus statement of the ECSS and the ACSM,\" Med. Sci. Sports "
              "Exerc., vol. 45, no. 1, pp. 186-205, 2013.",
              "10.1249/MSS.0b013e318279a10a", "a consensus statement"),
    Reference("bertelsen2017",
              "M. L. Bertelsen et al., \"A framework for the etiology of running-related "
              "injuries,\" Scand. J. Med. Sci. Sports, vol. 27, no. 11, pp. 1170-1180, 2017.",
              "10.1111/sms.12883", "a conceptual framework (expert opinion)"),
    Reference("vanderworp2015",
              "M. P. van der Worp et al., \"Injuries in runners; a systematic review on risk "
              "factors and sex differences,\" PLoS One, vol. 10, no. 2, e0114937, 2015.",
              "10.1371/journal.pone.0114937",
              "a systematic review of 15 cohorts (surface findings inconsistent)"),
    Reference("bontemps2020",
              "B. Bontemps, F. Vercruyssen, M. Gruet, and J. Louis, \"Downhill running: what are "
              "the effects and how can we adapt? A narrative review,\" Sports Med., vol. 50, "
              "no. 12, pp. 2083-2110, 2020.",
              "10.1007/s40279-020-01355-z", "a narrative review (muscle damage, not injury)"),
    Reference("friel_ctl_ramp",
              "J. Friel, \"The CTL ramp rate,\" TrainingPeaks / joefrieltraining.com.",
              "", "a coaching rule of thumb"),
    Reference("trainingpeaks_pmc",
              "TrainingPeaks Help Center, \"Fitness (CTL)\" and \"Form (TSB)\".",
              "", "a coaching model (performance, not injury)"),
    Reference("banister1975",
              "E. W. Banister, T. W. Calvert, M. V. Savage, and T. Bach, \"A systems model of "
              "training for athletic performance,\" Aust. J. Sports Med., vol. 7, pp. 57-61, "
              "1975.", "", "a performance model"),
    Reference("morton1990",
              "R. H. Morton, J. R. Fitz-Clarke, and E. W. Banister, \"Modeling human performance "
              "in running,\" J. Appl. Physiol., vol. 69, no. 3, pp. 1171-1177, 1990.",
              "", "a performance model"),
    Reference("williams2017",
              "S. Williams, S. West, M. J. Cross, and K. A. Stokes, \"Better way to determine the "
              "acute:chronic workload ratio?\" Br. J. Sports Med., vol. 51, no. 3, pp. 209-210, "
              "2017.", "10.1136/bjsports-2016-096589", "a methods letter"),
    Reference("windt2019",
              "J. Windt and T. J. Gabbett, \"Is it all for naught? What does mathematical "
              "coupling mean for acute:chronic workload ratios?\" Br. J. Sports Med., vol. 53, "
              "no. 16, pp. 988-990, 2019.", "10.1136/bjsports-2017-098925", "a methods letter"),
    Reference("nakaoka2021",
              "G. Nakaoka et al., \"The association between the acute:chronic workload ratio and "
              "running-related injuries in Dutch runners,\" Sports Med., vol. 51, no. 11, "
              "pp. 2437-2447, 2021.", "10.1007/s40279-021-01483-0",
              "a cohort study of 435 runners (inverse association)"),
    Reference("maselli2020",
              "F. Maselli et al., \"Prevalence and incidence of low back pain among runners: a "
              "systematic review,\" BMC Musculoskelet. Disord., vol. 21, p. 343, 2020.",
              "10.1186/s12891-020-03357-4", "a systematic review"),
)

#: Citation key -> reference.
REFERENCES: dict[str, Reference] = {r.key: r for r in _REFS}

#: Shown with every flag list: what the flags are and are not.
DISCLAIMER = (
    "These flags are associations from studies of running injuries in general, graded by how "
    "strong the evidence is. None of them predicts or prevents an injury, and no training-load "
    "measure has been shown to predict low-back pain. If something hurts, see a clinician.")


def references_table(keys: list[str] | None = None) -> pd.DataFrame:
    """The references, as a table (all, or those with the given keys, in that order).

    Returns
    -------
    pandas.DataFrame
        Columns ``key``, ``citation``, ``doi``, ``study_type``.

    Raises
    ------
    KeyError
        Naming the unknown citation key.
    """
    chosen = [REFERENCES[k] for k in keys] if keys is not None else list(_REFS)
    return pd.DataFrame([r.__dict__ for r in chosen],
                        columns=["key", "citation", "doi", "study_type"])
