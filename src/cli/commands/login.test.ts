import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ValidationError } from "../../core/errors.ts";
import type { Prompter } from "./inquiry-form.ts";
import { passwordFrom } from "./login.ts";

function fakePrompter(interactive: boolean, typed: string) {
  const asked: Array<{ question: string; secret: boolean }> = [];
  let closed = 0;
  const make = (): Prompter => ({
    interactive,
    async ask(question, options) {
      asked.push({ question, secret: options?.secret === true });
      return typed;
    },
    say: () => undefined,
    close: () => {
      closed++;
    },
  });
  return { make, asked, closed: () => closed };
}

/** [why, --password, SQUALL_PASSWORD, terminal?, typed, expected password or error pattern] */
const CASES: Array<
  [string, string | undefined, string | undefined, boolean, string, string | RegExp]
> = [
  ["--password wins", "opt", "env", true, "typed", "opt"],
  ["SQUALL_PASSWORD next", undefined, "env", true, "typed", "env"],
  ["asked on a terminal", undefined, undefined, true, "typed", "typed"],
  [
    "no terminal: says how to give it",
    undefined,
    undefined,
    false,
    "",
    /--password.*SQUALL_PASSWORD.*terminal/,
  ],
  ["nothing typed", undefined, undefined, true, "", /no password was typed/],
];

describe("login password", () => {
  for (const [why, option, env, terminal, typed, expected] of CASES)
    it(why, async () => {
      const prompter = fakePrompter(terminal, typed);
      const run = passwordFrom(
        option === undefined ? {} : { password: option },
        env === undefined ? {} : { SQUALL_PASSWORD: env },
        prompter.make,
      );
      if (expected instanceof RegExp) {
        await assert.rejects(
          run,
          (err: Error) => err instanceof ValidationError && expected.test(err.message),
        );
      } else assert.equal(await run, expected);
      const shouldAsk = option === undefined && env === undefined && terminal;
      assert.deepEqual(prompter.asked, shouldAsk ? [{ question: "Password: ", secret: true }] : []);
      if (option === undefined && env === undefined) assert.equal(prompter.closed(), 1);
    });
});
