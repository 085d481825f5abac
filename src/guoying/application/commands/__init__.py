"""Commands as data: imperative attrs classes, one module per capability, read from JSON
Lines by the converter. Each is decided by the handler registered for its type
(`guoying.application.handlers`); `guoying.application.catalogue` lists them all."""

from guoying.application.commands import (
    base,
    branches,
    ledger,
    mentoring,
    organisation,
    oversight,
    people,
    plans,
    policy,
    selection,
)
from guoying.application.commands.base import *  # noqa: F403
from guoying.application.commands.branches import *  # noqa: F403
from guoying.application.commands.ledger import *  # noqa: F403
from guoying.application.commands.mentoring import *  # noqa: F403
from guoying.application.commands.organisation import *  # noqa: F403
from guoying.application.commands.oversight import *  # noqa: F403
from guoying.application.commands.people import *  # noqa: F403
from guoying.application.commands.plans import *  # noqa: F403
from guoying.application.commands.policy import *  # noqa: F403
from guoying.application.commands.selection import *  # noqa: F403

__all__: list[str] = []
__all__ += base.__all__
__all__ += branches.__all__
__all__ += ledger.__all__
__all__ += mentoring.__all__
__all__ += organisation.__all__
__all__ += oversight.__all__
__all__ += people.__all__
__all__ += plans.__all__
__all__ += policy.__all__
__all__ += selection.__all__
