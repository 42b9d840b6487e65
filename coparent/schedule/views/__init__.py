"""Schedule pages, one module per page: the family calendar (month, week, agenda), the schedule
builder and its versions, swap requests, events, the parenting-time report and calendar feeds."""

from coparent.families.models import Role

READERS = [Role.PARENT, Role.CAREGIVER, Role.CHILD, Role.PROFESSIONAL]
PARENTS_AND_PROFESSIONALS = [Role.PARENT, Role.PROFESSIONAL]
