"""core.pause: sleeps, then returns how many seconds it slept."""

import random as random_module
import time

from st2common.runners.base_action import Action


class PauseAction(Action):
    def run(self, max_pause, random=False):
        seconds = random_module.randint(1, int(max_pause)) if random else max_pause
        time.sleep(seconds)
        return seconds
