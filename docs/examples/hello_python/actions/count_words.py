from st2common.runners.base_action import Action


class CountWords(Action):
    """Counts words; keeps the largest count in the datastore (pack-local key)."""

    def run(self, text):
        words = len(text.split())
        self.logger.info("counted %d words", words)
        largest = int(self.action_service.get_value("largest") or 0)
        if words > largest:
            self.action_service.set_value("largest", str(words))
        if words == 0:
            # A (False, result) tuple fails the execution and keeps the result.
            return (False, {"words": 0, "reason": "empty text"})
        return {"words": words, "long": words > self.config["threshold"]}
