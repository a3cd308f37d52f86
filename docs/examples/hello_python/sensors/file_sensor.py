import os

from st2reactor.sensor.base import PollingSensor


class FileSensor(PollingSensor):
    """Every poll_interval seconds, dispatches the lines appended to config's watch_file."""

    def setup(self):
        self._logger = self.sensor_service.get_logger(__name__)
        self._path = self.config.get("watch_file", "/tmp/hello_python.txt")

    def poll(self):
        # Where the last poll stopped survives restarts: it is kept in the datastore.
        offset = int(self.sensor_service.get_value("offset") or 0)
        if not os.path.exists(self._path):
            return
        with open(self._path) as f:
            f.seek(offset)
            for line in f:
                self.sensor_service.dispatch("hello_python.line", {"line": line.rstrip("\n")})
            offset = f.tell()
        self.sensor_service.set_value("offset", str(offset))

    def cleanup(self):
        pass

    def add_trigger(self, trigger):
        pass

    def update_trigger(self, trigger):
        pass

    def remove_trigger(self, trigger):
        pass
