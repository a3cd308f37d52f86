"""core.inject_trigger: dispatches a trigger through the API's generic webhook.

The webhook endpoint is asynchronous: success means the trigger was accepted, not that a
trigger instance was created (an unknown trigger ref is rejected later by the rules engine).
"""

from st2common.runners.base_action import Action


class InjectTriggerAction(Action):
    def run(self, trigger, payload=None, trace_tag=None):
        payload = payload or {}
        client = self.action_service.datastore_service
        self.logger.debug('Injecting trigger "%s" with payload="%s"', trigger, payload)
        headers = {"St2-Trace-Tag": trace_tag} if trace_tag else None
        return client.request(
            "POST",
            "/webhooks/st2",
            body={"trigger": trigger, "payload": payload},
            headers=headers,
        )
