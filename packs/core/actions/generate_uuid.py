"""core.uuid: a fresh UUID as a string."""

import uuid

from st2common.runners.base_action import Action

GENERATORS = {"uuid1": uuid.uuid1, "uuid4": uuid.uuid4}


class GenerateUUID(Action):
    def run(self, uuid_type="uuid4"):
        generator = GENERATORS.get(uuid_type)
        if generator is None:
            raise ValueError(
                "Unknown uuid_type %r: only %s are supported" % (uuid_type, ", ".join(GENERATORS))
            )
        return str(generator())
