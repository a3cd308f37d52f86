import { defineAction } from "squall/sdk";

export default defineAction({
  // The same parameters as greet.yaml; declaring them here types `params`.
  parameters: {
    name: { type: "string", required: true },
    shout: { type: "boolean", default: false },
  },
  async run(params, ctx) {
    const text = `${String(ctx.config.greeting ?? "Hello")}, ${params.name}!`;
    const message = params.shout ? text.toUpperCase() : text;
    ctx.logger.info(message);
    // Keys are private to this action unless { local: false }: hello_typescript.greet:last
    const previous = await ctx.datastore.get("last");
    await ctx.datastore.set("last", params.name);
    return { message, previous };
  },
});
