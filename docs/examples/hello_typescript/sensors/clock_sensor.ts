import { defineSensor } from "squall/sdk";

export default defineSensor({
  setup(ctx) {
    ctx.logger.info(`ticking every ${ctx.getPollInterval()} seconds`);
  },
  async poll(ctx) {
    // The count survives restarts of the sensor: it lives in the datastore
    // (key hello_typescript.ClockSensor:count).
    const { datastore } = ctx.service;
    const count = Number((await datastore.get("count")) ?? "0") + 1;
    await datastore.set("count", String(count));
    ctx.service.dispatch("hello_typescript.tick", { count, time: new Date().toISOString() });
  },
});
